using Prometheus;
using Rad.Contracts;

namespace Rad.Status.Monitoring;

/// <summary>
/// The deployment saga's counters and histograms. They are fed from committed saga steps only (see
/// <see cref="SagaCommit"/>): a step that is rolled back and retried, or a message redelivered after its step was
/// committed (which then changes nothing), is never counted twice. Each status instance counts the steps it committed,
/// so across instances Prometheus sums them; a restart resets them as Prometheus expects of a counter.
/// </summary>
public sealed class DeploymentMetrics
{
    // Seconds: a queue wait or a build may take many minutes, a switch a few milliseconds. Half of each default deadline
    // (60 s, 90 s, 300 s) is a bucket bound, so the alert on a p95 over it is not an interpolation.
    static readonly double[] StageBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 90, 120, 180, 300, 600, 1200];
    static readonly double[] DeploymentBuckets = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

    readonly Counter _deployments;
    readonly Histogram _deploymentDuration;
    readonly Histogram _stageDuration;
    readonly Counter _stagesEnded;

    public DeploymentMetrics(IMetricFactory factory)
    {
        _deployments = factory.CreateCounter("rad_deployments_total",
            "Deployments that reached a final state (Succeeded, Failed, Superseded).", ["state"]);
        _deploymentDuration = factory.CreateHistogram("rad_deployment_duration_seconds",
            "Time from a deployment's request to its final state, any final state.",
            new HistogramConfiguration { Buckets = DeploymentBuckets });
        _stageDuration = factory.CreateHistogram("rad_stage_duration_seconds",
            "Time from a stage's start to its completion or failure, by stage kind (clone, cluster, build, deploy, restore, remove, queue and the rollout steps).",
            new HistogramConfiguration { LabelNames = ["stage"], Buckets = StageBuckets });
        _stagesEnded = factory.CreateCounter("rad_stages_total",
            "Stages that ended, by stage kind and outcome (Completed, Failed).", ["stage", "state"]);

        // Every series exists from the start at 0, so rate() and alerts see the first deployment, not a new series.
        foreach (var state in (string[])[DeploymentStates.Succeeded, DeploymentStates.Failed, DeploymentStates.Superseded])
            _deployments.WithLabels(state);
        foreach (var kind in StageKind.All)
        {
            _stageDuration.WithLabels(kind);
            _stagesEnded.WithLabels(kind, StageStates.Completed);
            _stagesEnded.WithLabels(kind, StageStates.Failed);
        }
    }

    /// <summary>Counts saga steps whose transaction has committed.</summary>
    public void Committed(IEnumerable<SagaCommit> commits)
    {
        foreach (var commit in commits)
        {
            foreach (var stage in commit.EndedStages)
            {
                _stageDuration.WithLabels(stage.Kind).Observe(stage.Duration.TotalSeconds);
                _stagesEnded.WithLabels(stage.Kind, stage.State).Inc();
            }
            if (!commit.Finished)
                continue;
            _deployments.WithLabels(commit.StateAfter).Inc();
            if (commit.DeploymentDuration is { } duration)
                _deploymentDuration.Observe(duration.TotalSeconds);
        }
    }
}
