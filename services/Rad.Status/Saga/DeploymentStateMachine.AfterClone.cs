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
        if (saga.Error is not null)
            return;
        var owners = context.GetServiceOrCreateInstance<IApplicationOwners>();
        var conflicts = await owners.ClaimAsync(saga.Cluster, cloned.Applications.Select(a => a.Name).ToList(), saga.Repository, saga.CorrelationId, Now,
            context.CancellationToken);
        if (conflicts.Count == 0)
            return;
        RefuseAfterClone(saga, cloned, ApplicationOwnership.ClaimStage(conflicts[0].Application),
            string.Join("; ", conflicts.Select(c => ApplicationOwnership.Refusal(c, saga.Cluster, saga.Repository))));
    }

    /// <summary>
    /// A webhook push that was not forced fails when its commit was committed before the one that runs for its repository
    /// and cluster: a signed push of an older commit (one RAD never saw included) cannot roll the applications back.
    /// </summary>
    async Task RefuseOlderCommit(BehaviorContext<DeploymentState, RepositoryCloned> context)
    {
        var (saga, cloned) = (context.Saga, context.Message);
        if (!saga.RefuseOlderCommit || cloned.CommittedAt is not { } committedAt)
            return;
        var running = await context.GetServiceOrCreateInstance<IRunningCommits>().RunningAsync(saga.QueueId, saga.CorrelationId, context.CancellationToken);
        if (CommitAge.Refusal(cloned.Commit, committedAt, running, saga.Cluster, saga.Repository) is { } refusal)
            RefuseAfterClone(saga, cloned, CommitAge.Stage, refusal);
    }

    /// <summary>The clone stage completes (its checkout is recorded, for the janitor), then the deployment fails at <paramref name="stage"/>.</summary>
    void RefuseAfterClone(DeploymentState saga, RepositoryCloned cloned, string stage, string reason)
    {
        saga.Commit = cloned.Commit;
        saga.CommittedAt = cloned.CommittedAt;
        saga.WorkspacePath = cloned.WorkspacePath;
        saga.CompleteStage(StageNames.Clone, Now, $"commit {cloned.Commit}, {cloned.Applications.Count} application(s)");
        saga.Fail(stage, reason, Now);
    }
}
