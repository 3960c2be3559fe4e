using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>
/// The bookkeeping of a release: one application failing does not end the deployment at once; the others end first,
/// then the applications it changed are brought back (restored to their previous revision, or removed when they had
/// none), and only then does the deployment end Failed, saying which were restored.
/// </summary>
public static class ReleaseProgress
{
    /// <summary>One application's stage failed; the release goes on until every application ended. The first failure is the release's.</summary>
    public static void FailApplicationStage(this DeploymentState saga, string stage, string reason, DateTimeOffset now) =>
        saga.FailStageOnly(stage, reason, now, releaseFailure: true);

    static void FailStageOnly(this DeploymentState saga, string stage, string reason, DateTimeOffset now, bool releaseFailure)
    {
        var record = saga.Stages.FirstOrDefault(s => s.Name == stage);
        if (record is null)
        {
            record = new StageRecord { Name = stage, StartedAt = now };
            saga.Stages.Add(record);
        }
        if (record.State != StageStates.InProgress && record.CompletedAt is not null)
            return;
        record.State = StageStates.Failed;
        record.CompletedAt = now;
        record.Message = reason;
        saga.NewEvents.Add(new StageEvent(now, stage, StageStates.Failed, reason, ++saga.EventCount));
        if (releaseFailure)
            saga.ReleaseFailure ??= $"{stage}: {reason}";
    }

    /// <summary>A rollout step reported by the deployer becomes a stage of its own; each report also pushes the deploy stage's deadline on.</summary>
    public static void RecordStep(this DeploymentState saga, ApplicationRolloutStepped step, DateTimeOffset now, TimeSpan deployDeadline)
    {
        var stage = StageNames.Step(step.Step, step.ApplicationName);
        // The saga's messages are not ordered: a report that comes after its application ended (and is not being
        // restored) would reopen or rewrite a step the application's end already closed.
        if (saga.Applications.FirstOrDefault(a => a.Name == step.ApplicationName) is { Ended: true } ended && ended.Restore != StageStates.InProgress)
            return;
        if (step.State == StageStates.InProgress)
        {
            if (saga.Stages.FirstOrDefault(s => s.Name == stage && s.State == StageStates.InProgress) is { } open)
            {
                if (open.Message != step.Message)
                {
                    open.Message = step.Message;
                    saga.NewEvents.Add(new StageEvent(now, stage, StageStates.InProgress, step.Message, ++saga.EventCount));
                }
            }
            else
                saga.StartStage(stage, now, deadline: null, step.Message);
        }
        else if (step.State == StageStates.Completed)
            saga.CompleteStage(stage, now, step.Message);
        else
            // The application's own failure (ApplicationDeploymentFailed) follows and names the release's failure.
            saga.FailStageOnly(stage, step.Message ?? "failed", now, releaseFailure: false);
        var owner = saga.Stages.FirstOrDefault(s => s.State == StageStates.InProgress
            && (s.Name == StageNames.Deploy(step.ApplicationName) || s.Name == StageNames.Restore(step.ApplicationName)));
        if (owner is not null)
            owner.Deadline = now + deployDeadline;
    }

    public static bool AllEnded(this DeploymentState saga) => saga.Applications.All(a => a.Ended);

    public static bool IsRestoring(this DeploymentState saga) => saga.Applications.Any(a => a.Restore == StageStates.InProgress);

    /// <summary>What the failed release did to the applications it had changed, for the deployment's error.</summary>
    public static string RestoreSummary(this DeploymentState saga)
    {
        var parts = saga.Applications.Where(a => a.Restore is not null).Select(a => a.Restore switch
        {
            StageStates.Completed when a.Previous is { } previous => $"{a.Name} restored to revision {previous.Revision}",
            StageStates.Completed => $"{a.Name} removed (it had no earlier revision)",
            _ => $"{a.Name} NOT restored (see its stage)",
        }).ToList();
        return parts.Count == 0 ? "" : $"; {string.Join(", ", parts)}";
    }
}
