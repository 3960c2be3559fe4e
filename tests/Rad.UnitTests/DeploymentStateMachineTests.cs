using MassTransit;
using MassTransit.SagaStateMachine;
using MassTransit.Testing;
using Rad.Contracts;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

public sealed class DeploymentStateMachineTests : IAsyncLifetime
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 2, 30000, 8080);
    static readonly ApplicationSpec Api = new("api", "api/Dockerfile", "api", 1, 30001, 30001);
    const string Commit = "0123456789abcdef0123456789abcdef01234567";

    readonly Guid _id = NewId.NextGuid();
    SagaTestBed _bed = null!;
    FakeClock _clock = null!;
    ITestHarness _harness = null!;
    ISagaStateMachineTestHarness<DeploymentStateMachine, DeploymentState> _saga = null!;

    public async Task InitializeAsync()
    {
        _bed = await SagaTestBed.StartAsync();
        (_clock, _harness, _saga) = (_bed.Clock, _bed.Harness, _bed.Saga);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    DeploymentStateMachine Machine => _saga.StateMachine;

    RequestDeployment Request(string @ref = "main", string? concurrency = null) =>
        new(_id, "git://127.0.0.1/r.git", @ref, "rad.json", "local", _clock.GetUtcNow(), concurrency);

    /// <summary>Requested, and given its turn by the deployment queue (which lives in PostgreSQL and is tested against it).</summary>
    async Task StartedAsync(string @ref = "main")
    {
        await _harness.Bus.Publish(Request(@ref));
        Assert.NotNull(await _saga.Exists(_id, m => m.Queued));
        await _harness.Bus.Publish(new DeploymentMayStart(_id));
        Assert.NotNull(await _saga.Exists(_id, m => m.Cloning));
    }

    async Task<DeploymentState> RequestedAndClonedAsync()
    {
        await StartedAsync();
        await _harness.Bus.Publish(new RepositoryCloned(_id, Commit, "/work/x", "127.0.0.1:5000/t", [Web, Api]));
        Assert.NotNull(await _saga.Exists(_id, m => m.Building));
        return _saga.Sagas.Contains(_id);
    }

    [Fact]
    public async Task Request_enters_the_queue_of_its_repository_and_cluster_and_starts_nothing_yet()
    {
        await _harness.Bus.Publish(Request());

        Assert.True(await _harness.Published.Any<EnterDeploymentQueue>(x => x.Context.Message.DeploymentId == _id
            && x.Context.Message.QueueKey == "git://127.0.0.1/r -> local" && x.Context.Message.Concurrency == "queue"));
        Assert.NotNull(await _saga.Exists(_id, m => m.Queued));
        Assert.False(await _harness.Published.Any<CloneRepository>(x => x.Context.Message.DeploymentId == _id));
    }

    [Fact]
    public async Task Turn_starts_clone_and_cluster_side_by_side()
    {
        await StartedAsync();

        Assert.True(await _harness.Published.Any<CloneRepository>(x => x.Context.Message.DeploymentId == _id));
        Assert.True(await _harness.Published.Any<ProvisionCluster>(x => x.Context.Message.DeploymentId == _id));
        var saga = _saga.Sagas.Contains(_id);
        Assert.Equal(["clone user git repository", "provision cluster[local]"], saga.Stages.Select(s => s.Name));
    }

    [Fact]
    public async Task Deploys_start_only_when_every_image_and_the_cluster_are_ready_then_success()
    {
        await RequestedAndClonedAsync();
        Assert.Equal(2, _harness.Published.Select<BuildImage>().Count(x => x.Context.Message.DeploymentId == _id));

        await _harness.Bus.Publish(new ImageBuilt(_id, "web", "127.0.0.1:5000/t/web", "sha256:aa", false));
        await _harness.Bus.Publish(new ImageBuilt(_id, "api", "127.0.0.1:5000/t/api", "sha256:bb", false));
        Assert.NotNull(await _saga.Exists(_id, m => m.Building));
        Assert.False(await _harness.Published.Any<DeployApplication>(x => x.Context.Message.DeploymentId == _id));

        await _harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        Assert.NotNull(await _saga.Exists(_id, m => m.Deploying));
        var deploys = _harness.Published.Select<DeployApplication>().Where(x => x.Context.Message.DeploymentId == _id).ToList();
        Assert.Equal(2, deploys.Count);
        Assert.Contains(deploys, d => d.Context.Message.ImageReference == "127.0.0.1:5000/t/web@sha256:aa" && d.Context.Message.Network == "rad");

        await _harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, true));
        await _harness.Bus.Publish(new ApplicationDeployed(_id, "api", "http://127.0.0.1:30001", 1, true));
        Assert.NotNull(await _saga.Exists(_id, m => m.Succeeded));
        Assert.True(await _harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.Succeeded));
        var saga = _saga.Sagas.Contains(_id);
        Assert.All(saga.Stages, s => Assert.Equal(StageStates.Completed, s.State));
        Assert.Equal("http://127.0.0.1:30000", saga.Applications.Single(a => a.Name == "web").Endpoint);
    }

    [Fact]
    public async Task Build_failure_marks_deployment_failed_with_the_reason()
    {
        await RequestedAndClonedAsync();

        await _harness.Bus.Publish(new ImageBuildFailed(_id, "api", "docker build of Dockerfile failed at Step 2/2 : RUN exit 3"));

        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));
        var saga = _saga.Sagas.Contains(_id);
        Assert.Equal("build docker image[api]: docker build of Dockerfile failed at Step 2/2 : RUN exit 3", saga.Error);
        Assert.Equal(StageStates.Cancelled, saga.Stages.Single(s => s.Name == "build docker image[web]").State);
        Assert.True(await _harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id && !x.Context.Message.Succeeded));
    }

    [Fact]
    public async Task The_replica_budget_is_checked_while_images_build_and_a_refusal_fails_at_once_cancelling_the_builds()
    {
        await RequestedAndClonedAsync();
        var check = Assert.Single(_harness.Published.Select<CheckReplicaBudget>(), x => x.Context.Message.DeploymentId == _id).Context.Message;
        Assert.Equal("local", check.Cluster);
        Assert.Equal([new ReplicaAsk("web", 2), new ReplicaAsk("api", 1)], check.Applications);

        await _harness.Bus.Publish(new ReplicaBudgetRefused(_id, "web", "replica budget of cluster 'local' exceeded: it allows 2 replica(s) in all"));

        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));
        var saga = _saga.Sagas.Contains(_id);
        Assert.Equal("deploy application[web]: replica budget of cluster 'local' exceeded: it allows 2 replica(s) in all", saga.Error);
        Assert.Equal(StageStates.Cancelled, saga.Stages.Single(s => s.Name == "build docker image[api]").State);
        Assert.True(await _harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id && !x.Context.Message.Succeeded));
        Assert.False(await _harness.Published.Any<DeployApplication>(x => x.Context.Message.DeploymentId == _id));
    }

    [Fact]
    public async Task A_refusal_that_comes_after_the_rollouts_started_is_left_to_their_own_claims()
    {
        await RequestedAndClonedAsync();
        await _harness.Bus.Publish(new ImageBuilt(_id, "web", "127.0.0.1:5000/t/web", "sha256:aa", false));
        await _harness.Bus.Publish(new ImageBuilt(_id, "api", "127.0.0.1:5000/t/api", "sha256:bb", false));
        await _harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        Assert.NotNull(await _saga.Exists(_id, m => m.Deploying));

        await _harness.Bus.Publish(new ReplicaBudgetRefused(_id, "web", "replica budget of cluster 'local' exceeded"));
        Assert.True(await _harness.Consumed.Any<ReplicaBudgetRefused>(x => x.Context.Message.DeploymentId == _id));
        await _harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, true));
        await _harness.Bus.Publish(new ApplicationDeployed(_id, "api", "http://127.0.0.1:30001", 1, true));

        Assert.NotNull(await _saga.Exists(_id, m => m.Succeeded));
    }

    [Fact]
    public async Task Crashed_worker_fault_fails_the_deployment()
    {
        await RequestedAndClonedAsync();
        var command = new BuildImage(_id, "git://127.0.0.1/r.git", Commit, "/work/x", "127.0.0.1:5000/t", Web);

        await _harness.Bus.Publish<Fault<BuildImage>>(new MassTransit.Events.FaultEvent<BuildImage>(
            command, NewId.NextGuid(), MassTransit.Metadata.HostMetadataCache.Host, new IOException("disk full"), ["urn:message:Rad.Contracts:BuildImage"]));

        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));
        Assert.Equal("build docker image[web]: the builder failed unexpectedly: disk full", _saga.Sagas.Contains(_id).Error);
    }

    [Fact]
    public async Task Stuck_stage_fails_the_deployment_naming_the_stage_once_its_deadline_passes()
    {
        await RequestedAndClonedAsync();
        await _harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));

        // Early timeouts (a sweeper running ahead of this clock) change nothing.
        await _harness.Bus.Publish(new DeploymentStageTimedOut(_id, "build docker image[web]"));
        Assert.True(await _harness.Consumed.Any<DeploymentStageTimedOut>());
        Assert.NotNull(await _saga.Exists(_id, m => m.Building));

        _clock.Advance(TimeSpan.FromMinutes(11));
        await _harness.Bus.Publish(new DeploymentStageTimedOut(_id, "build docker image[web]"));

        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));
        var error = _saga.Sagas.Contains(_id).Error!;
        Assert.StartsWith("build docker image[web]: stage 'build docker image[web]' did not finish within its deadline of 600 s", error);
    }

    [Fact]
    public async Task Timeout_of_a_completed_stage_is_ignored()
    {
        await RequestedAndClonedAsync();
        _clock.Advance(TimeSpan.FromMinutes(30));

        await _harness.Bus.Publish(new DeploymentStageTimedOut(_id, "clone user git repository"));

        Assert.True(await _harness.Consumed.Any<DeploymentStageTimedOut>(x => x.Context.Message.DeploymentId == _id));
        Assert.NotNull(await _saga.Exists(_id, m => m.Building));
    }

    [Fact]
    public async Task Redelivered_events_never_start_a_stage_twice()
    {
        await RequestedAndClonedAsync();
        await _harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        await _harness.Bus.Publish(new ImageBuilt(_id, "web", "127.0.0.1:5000/t/web", "sha256:aa", false));
        await _harness.Bus.Publish(new ImageBuilt(_id, "web", "127.0.0.1:5000/t/web", "sha256:aa", false));
        await _harness.Bus.Publish(new ImageBuilt(_id, "api", "127.0.0.1:5000/t/api", "sha256:bb", false));
        Assert.NotNull(await _saga.Exists(_id, m => m.Deploying));

        await _harness.Bus.Publish(new ImageBuilt(_id, "api", "127.0.0.1:5000/t/api", "sha256:bb", true));
        await _harness.Bus.Publish(Request());
        await _harness.Bus.Publish(new DeploymentMayStart(_id));
        Assert.True(await _harness.Consumed.Any<ImageBuilt>(x => x.Context.Message.Reused));

        Assert.Equal(2, _harness.Published.Select<DeployApplication>().Count(x => x.Context.Message.DeploymentId == _id));
        Assert.Single(_harness.Published.Select<CloneRepository>(), x => x.Context.Message.DeploymentId == _id);
        Assert.NotNull(await _saga.Exists(_id, m => m.Deploying));
    }

    [Fact]
    public async Task Clone_failure_fails_and_later_events_are_ignored()
    {
        await StartedAsync("nope");
        await _harness.Bus.Publish(new CloneFailed(_id, "ref 'nope' was not found"));
        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));

        await _harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, true));
        Assert.True(await _harness.Consumed.Any<ClusterReady>(x => x.Context.Message.DeploymentId == _id));

        var saga = _saga.Sagas.Contains(_id);
        Assert.Equal("clone user git repository: ref 'nope' was not found", saga.Error);
        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));
    }

    [Fact]
    public async Task Waiting_shows_as_an_open_stage_that_completes_when_the_turn_comes()
    {
        var running = NewId.NextGuid();
        await _harness.Bus.Publish(Request());
        await _harness.Bus.Publish(new DeploymentWaiting(_id, running, 1));
        await _harness.Bus.Publish(new DeploymentWaiting(_id, running, 1));
        Assert.True(await _harness.Consumed.Any<DeploymentWaiting>());
        Assert.NotNull(await _saga.Exists(_id, m => m.Queued));
        var waiting = Assert.Single(_saga.Sagas.Contains(_id).Stages);
        Assert.Equal(("wait for running deployment", StageStates.InProgress, (DateTimeOffset?)null), (waiting.Name, waiting.State, waiting.Deadline));
        Assert.Contains(running.ToString(), waiting.Message);

        await _harness.Bus.Publish(new DeploymentMayStart(_id));

        Assert.NotNull(await _saga.Exists(_id, m => m.Cloning));
        Assert.Equal(StageStates.Completed, _saga.Sagas.Contains(_id).Stages.Single(s => s.Name == "wait for running deployment").State);
    }

    [Fact]
    public async Task Superseded_before_rolling_out_cancels_open_stages_and_leaves_the_queue()
    {
        var newer = NewId.NextGuid();
        await RequestedAndClonedAsync();

        await _harness.Bus.Publish(new SupersedeDeployment(_id, newer));

        Assert.NotNull(await _saga.Exists(_id, m => m.Superseded));
        var saga = _saga.Sagas.Contains(_id);
        Assert.Equal($"superseded by deployment {newer}", saga.Error);
        Assert.All(saga.Stages.Where(s => s.Name.StartsWith("build", StringComparison.Ordinal)), s => Assert.Equal(StageStates.Cancelled, s.State));
        Assert.True(await _harness.Published.Any<LeaveDeploymentQueue>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.QueueId == saga.QueueId));
        Assert.True(await _harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id && !x.Context.Message.Succeeded));
    }

    [Fact]
    public async Task Supersede_while_rolling_out_is_ignored_and_the_deployment_finishes()
    {
        await RequestedAndClonedAsync();
        await _harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        await _harness.Bus.Publish(new ImageBuilt(_id, "web", "127.0.0.1:5000/t/web", "sha256:aa", false));
        await _harness.Bus.Publish(new ImageBuilt(_id, "api", "127.0.0.1:5000/t/api", "sha256:bb", false));
        Assert.NotNull(await _saga.Exists(_id, m => m.Deploying));

        await _harness.Bus.Publish(new SupersedeDeployment(_id, NewId.NextGuid()));
        Assert.True(await _harness.Consumed.Any<SupersedeDeployment>(x => x.Context.Message.DeploymentId == _id));

        Assert.NotNull(await _saga.Exists(_id, m => m.Deploying));
        Assert.Null(_saga.Sagas.Contains(_id).Error);
    }

    [Fact]
    public async Task Every_stage_change_is_published_numbered_without_gaps_with_the_state_after_it()
    {
        await RequestedAndClonedAsync();
        await _harness.Bus.Publish(new CloneFailed(_id, "late failure is ignored"));
        await _harness.Bus.Publish(new ImageBuildFailed(_id, "web", "step 2/3: exit code 1"));
        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));
        Assert.True(await _harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id));

        var published = _harness.Published.Select<DeploymentProgressed>().Where(x => x.Context.Message.DeploymentId == _id)
            .Select(x => x.Context.Message).ToList();
        var changes = published.SelectMany(p => p.Changes).OrderBy(c => c.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, changes.Count).Select(i => (long)i), changes.Select(c => c.Sequence));
        Assert.Equal(_saga.Sagas.Contains(_id).EventCount, changes.Count);
        Assert.Equal(
            ["clone user git repository:InProgress", "provision cluster[local]:InProgress", "clone user git repository:Completed",
             "build docker image[web]:InProgress", "build docker image[api]:InProgress", "build docker image[web]:Failed"],
            changes.Select(c => $"{c.Stage}:{c.State}"));
        Assert.Equal("Failed", published.Single(p => p.Changes.Any(c => c.State == "Failed")).State);
        Assert.All(published.Where(p => p.Changes.All(c => c.State != "Failed")), p => Assert.Equal("InProgress", p.State));
    }

    [Fact]
    public async Task A_turn_given_to_a_deployment_that_already_ended_is_handed_back()
    {
        await StartedAsync("nope");
        await _harness.Bus.Publish(new CloneFailed(_id, "ref 'nope' was not found"));
        Assert.NotNull(await _saga.Exists(_id, m => m.Failed));
        // The saga is Failed as soon as it transitions, a moment before the failure's own hand-back is published: wait for it.
        Assert.True(await _harness.Published.Any<LeaveDeploymentQueue>(x => x.Context.Message.DeploymentId == _id));

        await _harness.Bus.Publish(new DeploymentMayStart(_id));

        // The first turn (given by StartedAsync) was consumed already: wait for this second one, and for its hand-back.
        Assert.True(await _harness.Consumed.SelectAsync<DeploymentMayStart>(x => x.Context.Message.DeploymentId == _id).Skip(1).Any());
        Assert.True(await _harness.Published.SelectAsync<LeaveDeploymentQueue>(x => x.Context.Message.DeploymentId == _id).Skip(1).Any());
        Assert.Equal(2, _harness.Published.Select<LeaveDeploymentQueue>().Count(x => x.Context.Message.DeploymentId == _id));
    }

    [Fact]
    public async Task Cluster_progress_updates_the_stage_and_pushes_its_deadline_on()
    {
        await StartedAsync();
        var started = _saga.Sagas.Contains(_id).Stages.Single(s => s.Name == "provision cluster[local]").Deadline;
        _clock.Advance(TimeSpan.FromMinutes(1));

        await _harness.Bus.Publish(new ClusterProvisioningProgressed(_id, "local", "Provisioning", TimeSpan.FromSeconds(60)));

        Assert.True(await _harness.Consumed.Any<ClusterProvisioningProgressed>(x => x.Context.Message.DeploymentId == _id));
        var stage = _saga.Sagas.Contains(_id).Stages.Single(s => s.Name == "provision cluster[local]");
        Assert.Equal("phase Provisioning, 60 s elapsed", stage.Message);
        Assert.Equal(started + TimeSpan.FromMinutes(1), stage.Deadline);
        Assert.Equal(StageStates.InProgress, stage.State);
        Assert.True(await _harness.Published.Any<DeploymentProgressed>(x => x.Context.Message.DeploymentId == _id
            && x.Context.Message.Changes.Any(c => c.Message == "phase Provisioning, 60 s elapsed")));
    }

    [Fact]
    public void State_machine_prints_as_a_diagram()
    {
        var graph = Machine.GetGraph();
        var lines = graph.Edges.Select(e => $"  \"{e.From.Title}\" -> \"{e.To.Title}\";").Distinct().ToList();
        var dot = "digraph DeploymentStateMachine {\n" + string.Join("\n", lines) + "\n}";
        Console.WriteLine(dot);

        Assert.Contains("\"Initial\" -> \"Requested\"", dot);
        Assert.Contains("\"Deploying\" -> \"ApplicationDeployed\"", dot);
    }
}
