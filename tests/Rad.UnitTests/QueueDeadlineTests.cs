using MassTransit;
using MassTransit.Testing;
using Rad.Contracts;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

/// <summary>
/// A queued deployment is never stranded (issue 12, item 13): it enters its queue again every QueueRecheck (a lost
/// entry or a lost answer costs that long), and fails, leaving the queue, once it has waited longer than the queue's deadline.
/// </summary>
public sealed class QueueDeadlineTests : IAsyncLifetime
{
    readonly Guid _id = NewId.NextGuid();
    SagaTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await SagaTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    ITestHarness Harness => _bed.Harness;

    async Task<DeploymentState> QueuedAsync()
    {
        await Harness.Bus.Publish(new RequestDeployment(_id, "git://127.0.0.1/q.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow()));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Queued));
        return _bed.Saga.Sagas.Contains(_id);
    }

    Task<int> EntriesAsync() =>
        Task.FromResult(Harness.Published.Select<EnterDeploymentQueue>().Count(x => x.Context.Message.DeploymentId == _id));

    /// <summary>Publishes the sweeper's timeout and waits (bounded) until the saga has handled it.</summary>
    async Task TimedOutAsync(string stage)
    {
        await Harness.Bus.Publish(new DeploymentStageTimedOut(_id, stage));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!_bed.Saga.Consumed.Select<DeploymentStageTimedOut>(x => x.Context.Message.DeploymentId == _id).Any())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the saga did not handle the timeout within 10 s");
            await Task.Delay(20);
        }
        await Harness.InactivityTask;
    }

    [Fact]
    public async Task A_queued_deployment_has_a_deadline_for_the_sweeper_even_before_the_queue_answers()
    {
        var saga = await QueuedAsync();

        var next = saga.NextDeadline();
        Assert.NotNull(next);
        Assert.Equal((_bed.Clock.GetUtcNow() + TimeSpan.FromSeconds(30), StageNames.Queue), next.Value);
        Assert.Empty(saga.Stages); // nothing visible changes while it waits for its turn
    }

    [Fact]
    public async Task When_the_recheck_is_due_the_deployment_enters_its_queue_again_and_schedules_the_next_one()
    {
        await QueuedAsync();
        Assert.Equal(1, await EntriesAsync());

        _bed.Clock.Advance(TimeSpan.FromSeconds(31));
        await TimedOutAsync(StageNames.Queue);

        Assert.Equal(2, await EntriesAsync());
        var saga = _bed.Saga.Sagas.Contains(_id);
        Assert.Equal("Queued", saga.CurrentState);
        Assert.Equal(_bed.Clock.GetUtcNow() + TimeSpan.FromSeconds(30), saga.QueueCheckAt);
    }

    [Fact]
    public async Task A_timeout_before_the_recheck_is_due_changes_nothing()
    {
        await QueuedAsync();

        _bed.Clock.Advance(TimeSpan.FromSeconds(10));
        await TimedOutAsync(StageNames.Queue);

        Assert.Equal(1, await EntriesAsync());
        Assert.Equal("Queued", _bed.Saga.Sagas.Contains(_id).CurrentState);
    }

    [Fact]
    public async Task Waiting_past_the_queue_deadline_fails_the_deployment_and_leaves_the_queue()
    {
        var saga = await QueuedAsync();
        var running = NewId.NextGuid();
        await Harness.Bus.Publish(new DeploymentWaiting(_id, running, 1));
        Assert.True(await Harness.Consumed.Any<DeploymentWaiting>());

        _bed.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await TimedOutAsync(StageNames.Queue);

        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Failed));
        saga = _bed.Saga.Sagas.Contains(_id);
        var stage = Assert.Single(saga.Stages);
        Assert.Equal((StageNames.Queue, StageStates.Failed), (stage.Name, stage.State));
        Assert.StartsWith($"{StageNames.Queue}: stage '{StageNames.Queue}' did not end within its deadline of 3600 s (Rad:Deadlines:Queue)", saga.Error);
        Assert.Contains("git://127.0.0.1/q -> local", saga.Error);
        Assert.Contains($"deployment {running} of the same repository and cluster is running", saga.Error);
        Assert.True(await Harness.Published.Any<LeaveDeploymentQueue>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.QueueId == saga.QueueId));
        Assert.True(await Harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id && !x.Context.Message.Succeeded));
    }

    [Fact]
    public async Task Its_turn_clears_the_queue_deadline_so_the_sweeper_watches_only_the_running_stages()
    {
        await QueuedAsync();

        await Harness.Bus.Publish(new DeploymentMayStart(_id));

        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Cloning));
        var saga = _bed.Saga.Sagas.Contains(_id);
        Assert.Null(saga.QueueCheckAt);
        Assert.Null(saga.QueueDeadline);
        Assert.Equal(StageNames.Clone, saga.NextDeadline()!.Value.Stage);
    }
}
