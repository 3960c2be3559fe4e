using MassTransit;
using MassTransit.Testing;
using Rad.Contracts;
using Rad.Status.Notifications;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests.Notifications;

/// <summary>The saga's own messages announce a deployment's start (a DeploymentProgressed) and its end (DeploymentFinished) exactly once each.</summary>
public sealed class NotificationEventsTests : IAsyncLifetime
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 1, 30000, 30000);
    readonly Guid _id = NewId.NextGuid();
    SagaTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await SagaTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    ITestHarness Harness => _bed.Harness;

    /// <summary>What the notifier would announce: a start per progress message that opens the deployment, an end per DeploymentFinished.</summary>
    async Task<List<string>> AnnouncedAsync()
    {
        // The harness records what the saga published; give the last message's publications a moment to arrive.
        await Harness.InactivityTask;
        var starts = Harness.Published.Select<DeploymentProgressed>().Where(p => p.Context.Message.DeploymentId == _id)
            .Where(p => NotificationEvents.IsStart(p.Context.Message)).Select(_ => NotificationEvents.Started);
        var state = PublicState.Of(_bed.Saga.Sagas.Contains(_id).CurrentState);
        var ends = Harness.Published.Select<DeploymentFinished>().Where(p => p.Context.Message.DeploymentId == _id)
            .Select(_ => NotificationEvents.OfEnd(state) ?? $"(no event: finished in state {state})");
        return [.. starts, .. ends];
    }

    async Task QueuedThenStartedAsync()
    {
        await Harness.Bus.Publish(new RequestDeployment(_id, "git://127.0.0.1/r.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow()));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Queued));
        await Harness.Bus.Publish(new DeploymentWaiting(_id, Guid.NewGuid(), 1));
        await Harness.Bus.Publish(new DeploymentMayStart(_id));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Cloning));
    }

    [Fact]
    public async Task A_successful_deployment_announces_started_once_then_succeeded_once()
    {
        await QueuedThenStartedAsync();
        await Harness.Bus.Publish(new ClusterProvisioningProgressed(_id, "local", "Provisioning", TimeSpan.FromSeconds(3)));
        await Harness.Bus.Publish(new RepositoryCloned(_id, "0123456789abcdef0123456789abcdef01234567", "/work/x", "127.0.0.1:5000/t", [Web]));
        await Harness.Bus.Publish(new ImageBuilt(_id, "web", "127.0.0.1:5000/t/web", "sha256:aa", false));
        await Harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Deploying));
        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 1, true));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Succeeded));

        Assert.Equal(["started", "succeeded"], await AnnouncedAsync());
    }

    [Fact]
    public async Task A_failed_build_announces_failed_once()
    {
        await QueuedThenStartedAsync();
        await Harness.Bus.Publish(new RepositoryCloned(_id, "0123456789abcdef0123456789abcdef01234567", "/work/x", "127.0.0.1:5000/t", [Web]));
        await Harness.Bus.Publish(new ImageBuildFailed(_id, "web", "RUN exit 3"));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Failed));

        Assert.Equal(["started", "failed"], await AnnouncedAsync());
    }

    [Fact]
    public async Task A_deployment_superseded_in_its_queue_never_started_and_announces_superseded()
    {
        await Harness.Bus.Publish(new RequestDeployment(_id, "git://127.0.0.1/r.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow()));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Queued));
        await Harness.Bus.Publish(new DeploymentWaiting(_id, Guid.NewGuid(), 1));
        await Harness.Bus.Publish(new SupersedeDeployment(_id, Guid.NewGuid()));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Superseded));

        Assert.Equal(["superseded"], await AnnouncedAsync());
    }

    /// <summary>Superseded before its queue answered: no stage was open, so no progress message; the end is announced all the same.</summary>
    [Fact]
    public async Task A_deployment_superseded_before_it_waited_announces_superseded()
    {
        await Harness.Bus.Publish(new RequestDeployment(_id, "git://127.0.0.1/r.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow()));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Queued));
        await Harness.Bus.Publish(new SupersedeDeployment(_id, Guid.NewGuid()));
        Assert.NotNull(await _bed.Saga.Exists(_id, m => m.Superseded));

        Assert.Equal(["superseded"], await AnnouncedAsync());
        Assert.DoesNotContain(Harness.Published.Select<DeploymentProgressed>(), p => p.Context.Message.DeploymentId == _id && p.Context.Message.State == DeploymentStates.Superseded);
    }
}
