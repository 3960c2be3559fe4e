using System.Diagnostics;
using Rad.Kubernetes;

namespace Rad.Status.Api;

/// <summary>
/// Reads one kubeconfig before the service reports healthy: KubernetesClient's YAML reader builds its type maps on first
/// use (seen on a loaded machine: the first POST /api/clusters took 6 s, the next ones 2-8 ms), so the first
/// registration or refusal after a start does not pay for it. Waits at most 15 s (the reading goes on behind); changes
/// nothing; the sample holds no credential.
/// </summary>
public sealed class KubeconfigWarmup(ILogger<KubeconfigWarmup> logger) : IHostedService
{
    const string Sample = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: warmup
          cluster:
            server: https://127.0.0.1:6443
        users:
        - name: warmup
          user: {}
        contexts:
        - name: warmup
          context: {cluster: warmup, user: warmup}
        current-context: warmup
        """;

    static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var warm = Task.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                Kubeconfig.Flatten(Kubeconfig.Load(Sample));
                logger.LogInformation("Kubeconfig reader warmed up in {ElapsedMs:0} ms", watch.Elapsed.TotalMilliseconds);
            }
            catch (KubeconfigException e)
            {
                logger.LogWarning("Kubeconfig warm-up failed after {ElapsedMs:0} ms: {Reason}", watch.Elapsed.TotalMilliseconds, e.Message);
            }
        }, CancellationToken.None);
        await Task.WhenAny(warm, Task.Delay(Limit, cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
