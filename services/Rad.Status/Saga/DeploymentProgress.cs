using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>The bookkeeping of a deployment's stages, kept apart from the state machine so the machine reads as the order of things.</summary>
public static class DeploymentProgress
{
    /// <summary>Opens a stage; without a deadline it may wait as long as it needs (a queue).</summary>
    public static void StartStage(this DeploymentState saga, string stage, DateTimeOffset now, TimeSpan? deadline, string? message = null)
    {
        saga.Stages.RemoveAll(s => s.Name == stage);
        saga.Stages.Add(new StageRecord { Name = stage, StartedAt = now, Deadline = now + deadline, Message = message });
        saga.Record(now, stage, StageStates.InProgress, message);
    }

    /// <summary>Completes a stage once; a redelivered event finds it completed and changes nothing.</summary>
    public static bool CompleteStage(this DeploymentState saga, string stage, DateTimeOffset now, string? message = null)
    {
        var record = saga.Stages.FirstOrDefault(s => s.Name == stage);
        if (record is null || record.State != StageStates.InProgress)
            return false;
        record.State = StageStates.Completed;
        record.CompletedAt = now;
        record.Message = message;
        saga.Record(now, stage, StageStates.Completed, message);
        return true;
    }

    /// <summary>A long stage reports where it is: the message changes, the deadline moves on (the worker is alive), and an event records it.</summary>
    public static void ProgressStage(this DeploymentState saga, string stage, DateTimeOffset now, TimeSpan deadline, string message)
    {
        var record = saga.Stages.FirstOrDefault(s => s.Name == stage);
        if (record is null || record.State != StageStates.InProgress || record.Message == message)
            return;
        record.Message = message;
        record.Deadline = now + deadline;
        saga.Record(now, stage, StageStates.InProgress, message);
    }

    public static void Fail(this DeploymentState saga, string stage, string reason, DateTimeOffset now)
    {
        var record = saga.Stages.FirstOrDefault(s => s.Name == stage);
        if (record is null)
        {
            record = new StageRecord { Name = stage, StartedAt = now };
            saga.Stages.Add(record);
        }
        record.State = StageStates.Failed;
        record.CompletedAt = now;
        record.Message = reason;
        saga.Record(now, stage, StageStates.Failed, reason);
        foreach (var open in saga.Stages.Where(s => s.State == StageStates.InProgress))
        {
            open.State = StageStates.Cancelled;
            open.CompletedAt = now;
            open.Message = $"cancelled: {stage} failed";
        }
        saga.Error = $"{stage}: {reason}";
        saga.CompletedAt = now;
    }

    /// <summary>Stops a deployment that did not fail: every open stage is cancelled, each with an event saying why.</summary>
    public static void Cancel(this DeploymentState saga, string reason, DateTimeOffset now)
    {
        foreach (var open in saga.Stages.Where(s => s.State == StageStates.InProgress))
        {
            open.State = StageStates.Cancelled;
            open.CompletedAt = now;
            open.Message = reason;
            saga.Record(now, open.Name, StageStates.Cancelled, reason);
        }
        saga.Error = reason;
        saga.CompletedAt = now;
    }

    static void Record(this DeploymentState saga, DateTimeOffset at, string stage, string state, string? message) =>
        saga.NewEvents.Add(new StageEvent(at, stage, state, message, ++saga.EventCount));

    public static bool ReadyToDeploy(this DeploymentState saga) =>
        saga.ClusterReady && saga.Applications.Count > 0 && saga.Applications.All(a => a.Built);

    public static bool AllDeployed(this DeploymentState saga) => saga.Applications.All(a => a.Deployed);

    /// <summary>When the deadline sweeper must look at this deployment next, and the stage it names: an open stage, or the queue while it waits.</summary>
    public static (DateTimeOffset At, string Stage)? NextDeadline(this DeploymentState saga)
    {
        (DateTimeOffset At, string Stage)? next = saga.NextDeadlineStage() is { } stage ? (stage.Deadline!.Value, stage.Name) : null;
        if (saga.QueueCheckAt is { } check && (next is null || check < next.Value.At))
            next = (check, StageNames.Queue);
        return next;
    }

    /// <summary>The open stage whose deadline comes first.</summary>
    public static StageRecord? NextDeadlineStage(this DeploymentState saga) =>
        saga.Stages.Where(s => s.State == StageStates.InProgress && s.Deadline is not null).MinBy(s => s.Deadline);
}
