using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Monitoring;

/// <summary>
/// What one saved step of a deployment saga changed, as far as its metrics go: the public state before and after, and
/// the stages that ended in it with their durations. Counted only once the transaction that wrote it has committed.
/// </summary>
public sealed record SagaCommit(string? StateBefore, string StateAfter, TimeSpan? DeploymentDuration, IReadOnlyList<EndedStage> EndedStages)
{
    /// <summary>The deployment reached a final state in this step (only one step of a deployment can: its row is versioned).</summary>
    public bool Finished => DeploymentStates.IsFinal(StateAfter) && (StateBefore is null || !DeploymentStates.IsFinal(StateBefore));

    /// <summary>
    /// From the saga as it is saved (its stage events of this step not yet cleared) and its saga state when it was loaded
    /// (null when this step created it). A stage counts when it completed or failed here; a cancelled one measured
    /// only how long something else took to fail.
    /// </summary>
    public static SagaCommit Of(string? loadedSagaState, DeploymentState saga)
    {
        var ended = saga.NewEvents
            .Where(e => e.State is StageStates.Completed or StageStates.Failed)
            .Select(e => (Event: e, Record: saga.Stages.LastOrDefault(s => s.Name == e.Stage)))
            .Where(x => x.Record is not null)
            .Select(x => new EndedStage(StageKind.Of(x.Event.Stage), x.Event.State, Positive(x.Event.At - x.Record!.StartedAt)))
            .ToList();
        var after = PublicState.Of(saga.CurrentState);
        var duration = saga.CompletedAt is { } completed && DeploymentStates.IsFinal(after) ? Positive(completed - saga.CreatedAt) : (TimeSpan?)null;
        return new SagaCommit(loadedSagaState is null ? null : PublicState.Of(loadedSagaState), after, duration, ended);
    }

    static TimeSpan Positive(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}

public sealed record EndedStage(string Kind, string State, TimeSpan Duration);
