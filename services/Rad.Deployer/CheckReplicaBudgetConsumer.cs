using MassTransit;
using Rad.Clusters;
using Rad.Contracts;

namespace Rad.Deployer;

/// <summary>
/// Answers, while a deployment's images build, whether its applications fit the cluster's replica budget; only a refusal
/// is answered. A cluster that is not there yet or cannot be asked is not refused here: each rollout claims its place in
/// the budget before it starts (<see cref="DeployApplicationConsumer"/>), and that claim decides.
/// </summary>
public sealed class CheckReplicaBudgetConsumer(ClusterCatalog clusters, ReplicaBudget budget, ILogger<CheckReplicaBudgetConsumer> logger)
    : IConsumer<CheckReplicaBudget>
{
    public async Task Consume(ConsumeContext<CheckReplicaBudget> context)
    {
        var check = context.Message;
        (string Application, string Reason)? refused;
        try
        {
            if (await clusters.FindAsync(check.Cluster, context.CancellationToken) is not { } cluster)
                return;
            refused = await budget.CheckAsync(check.Cluster, cluster, check.Applications, context.CancellationToken);
        }
        catch (Exception e) when (ClusterFailures.CouldNotAsk(e))
        {
            logger.LogInformation("Replica budget of cluster {Cluster} not checked ahead for deployment {DeploymentId} ({Reason}); each rollout claims it",
                check.Cluster, check.DeploymentId, e.Message);
            return;
        }
        if (refused is not { } refusal)
            return;
        logger.LogWarning("Replica budget refused deployment {DeploymentId} on {Cluster}: {Reason}", check.DeploymentId, check.Cluster, refusal.Reason);
        await context.Publish(new ReplicaBudgetRefused(check.DeploymentId, refusal.Application, refusal.Reason));
    }
}
