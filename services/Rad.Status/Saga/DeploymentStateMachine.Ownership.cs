using MassTransit;
using Rad.Contracts;

namespace Rad.Status.Saga;

public partial class DeploymentStateMachine
{
    /// <summary>
    /// Claims the checkout's applications for this deployment's repository; when another repository owns any of them the
    /// deployment fails at once naming the owner, before any image is built or any service touched.
    /// </summary>
    async Task ClaimApplications(BehaviorContext<DeploymentState, RepositoryCloned> context)
    {
        var (saga, cloned) = (context.Saga, context.Message);
        var owners = context.GetServiceOrCreateInstance<IApplicationOwners>();
        var conflicts = await owners.ClaimAsync(saga.Cluster, cloned.Applications.Select(a => a.Name).ToList(), saga.Repository, saga.CorrelationId, Now,
            context.CancellationToken);
        if (conflicts.Count == 0)
            return;
        saga.Commit = cloned.Commit;
        saga.WorkspacePath = cloned.WorkspacePath;
        saga.CompleteStage(StageNames.Clone, Now, $"commit {cloned.Commit}, {cloned.Applications.Count} application(s)");
        saga.Fail(ApplicationOwnership.ClaimStage(conflicts[0].Application),
            string.Join("; ", conflicts.Select(c => ApplicationOwnership.Refusal(c, saga.Cluster, saga.Repository))), Now);
    }
}
