using Rad.Contracts;
using Rad.Status.Monitoring;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests.Monitoring;

public class SagaCommitTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    static DeploymentState Saga(string state)
    {
        var saga = new DeploymentState { CorrelationId = Guid.NewGuid(), CurrentState = state, CreatedAt = T0 };
        saga.StartStage(StageNames.Clone, T0.AddSeconds(1), TimeSpan.FromMinutes(2));
        saga.StartStage(StageNames.Cluster("local"), T0.AddSeconds(1), TimeSpan.FromMinutes(2));
        saga.StartStage(StageNames.Build("web"), T0.AddSeconds(2), TimeSpan.FromMinutes(10));
        saga.NewEvents.Clear();
        return saga;
    }

    [Fact]
    public void Stages_that_completed_or_failed_in_the_step_count_with_their_duration_by_kind()
    {
        var saga = Saga("Building");
        saga.CompleteStage(StageNames.Clone, T0.AddSeconds(1.5));
        saga.CompleteStage(StageNames.Cluster("local"), T0.AddSeconds(4));

        var commit = SagaCommit.Of("Cloning", saga);

        Assert.Equal([new EndedStage("clone", StageStates.Completed, TimeSpan.FromSeconds(0.5)), new EndedStage("cluster", StageStates.Completed, TimeSpan.FromSeconds(3))],
            commit.EndedStages);
        Assert.False(commit.Finished);
        Assert.Null(commit.DeploymentDuration);
    }

    [Fact]
    public void A_step_that_ends_the_deployment_finishes_it_once_with_the_time_from_its_request()
    {
        var saga = Saga("Failed");
        saga.Fail(StageNames.Build("web"), "exit code 1", T0.AddSeconds(12));

        var commit = SagaCommit.Of("Building", saga);

        Assert.True(commit.Finished);
        Assert.Equal(DeploymentStates.Failed, commit.StateAfter);
        Assert.Equal(TimeSpan.FromSeconds(12), commit.DeploymentDuration);
        // The build failed after 10 s; clone and cluster were cancelled by it, which says nothing of their own time.
        Assert.Equal([new EndedStage("build", StageStates.Failed, TimeSpan.FromSeconds(10))], commit.EndedStages);
    }

    [Fact]
    public void A_message_handled_again_after_the_deployment_ended_finishes_nothing()
    {
        var saga = Saga("Succeeded");
        saga.CompletedAt = T0.AddSeconds(20);

        var commit = SagaCommit.Of("Succeeded", saga);

        Assert.False(commit.Finished);
        Assert.Empty(commit.EndedStages);
    }

    [Fact]
    public void A_stage_completed_again_by_a_redelivered_event_is_not_counted_again()
    {
        var saga = Saga("Building");
        saga.CompleteStage(StageNames.Clone, T0.AddSeconds(3));
        saga.NewEvents.Clear(); // committed with the first delivery

        Assert.False(saga.CompleteStage(StageNames.Clone, T0.AddSeconds(5)));
        Assert.Empty(SagaCommit.Of("Building", saga).EndedStages);
    }

    [Fact]
    public void A_superseded_deployment_counts_as_superseded_and_its_cancelled_stages_not_at_all()
    {
        var saga = Saga("Superseded");
        saga.Cancel("superseded by deployment x", T0.AddSeconds(7));

        var commit = SagaCommit.Of("Building", saga);

        Assert.True(commit.Finished);
        Assert.Equal(DeploymentStates.Superseded, commit.StateAfter);
        Assert.Empty(commit.EndedStages);
    }

    [Fact]
    public void A_queued_deployment_waiting_is_in_no_final_state()
    {
        var saga = new DeploymentState { CorrelationId = Guid.NewGuid(), CurrentState = "Queued", CreatedAt = T0 };
        var commit = SagaCommit.Of(null, saga);
        Assert.False(commit.Finished);
        Assert.Equal(DeploymentStates.Queued, commit.StateAfter);
    }
}
