using Rad.Clusters;

namespace Rad.Status.Persistence;

/// <summary>
/// At start-up, after the schema migrations: kubeconfigs stored in plaintext by a RAD from before they were encrypted
/// are sealed in place, so an upgrade leaves no credential readable in the database. Until then the cluster provisioner
/// and the deployer refuse such a row, saying to start the status service.
/// </summary>
public sealed class ClusterCredentialsSealing(ClusterRegistry registry, ILogger<ClusterCredentialsSealing> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var sealedCount = await registry.SealPlaintextAsync(cancellationToken);
        if (sealedCount > 0)
            logger.LogWarning("Encrypted the stored kubeconfig of {Count} cluster(s) that were kept in plaintext", sealedCount);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
