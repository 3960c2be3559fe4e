using MassTransit;
using MassTransit.Testing;
using Rad.Contracts;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

/// <summary>A message that failed at the saga every time (reported by SagaFaultConsumer) fails its deployment at once, in every state that waits.</summary>
public sealed class SagaFaultStateMachineTests : IAsyncLifetime
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 2, 30000, 8080);
    static readonly ApplicationSpec Api = new("api", "api/Dockerfile", "api", 1, 30001, 30001);
    const string Reason = "RAD could not handle ApplicationDeployed for this deployment (...): ArgumentNullException: Value cannot be null.";

    readonly Guid _id = NewId.NextGuid();
    SagaTestBed _bed = null!;

    ITestHarness Harness => _bed.Harness;
    ISagaStateMachineTestHarness<DeploymentStateMachine, DeploymentState> Saga => _bed.Saga;

    public async Task InitializeAsync() => _bed = await SagaTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_request_that_never_made_a_deployment_makes_one_that_failed_with_the_reason()
    {
        var request = new RequestDeployment(_id, "git://127.0.0.1/r.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow(), Trigger: "bus");
        await Harness.Bus.Publish(new DeploymentRequestFaulted(_id, request, "RAD could not handle RequestDeployment: boom"));

        Assert.NotNull(await Saga.Exists(_id, m => m.Failed));
        var saga = Saga.Sagas.Contains(_id);
        Assert.Equal($"{DeploymentStateMachine.FaultedRequestStage}: RAD could not handle RequestDeployment: boom", saga.Error);
        Assert.Equal("git://127.0.0.1/r.git", saga.Repository);
        Assert.Equal("bus", saga.Trigger);
        Assert.True(await Harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id && !x.Context.Message.Succeeded));
        Assert.True(await Harness.Published.Any<LeaveDeploymentQueue>(x => x.Context.Message.DeploymentId == _id));
    }

    [Fact]
    public async Task A_faulted_stage_event_while_cloning_fails_its_stage_and_cancels_the_others()
    {
        await StartedAsync();

        await Harness.Bus.Publish(new DeploymentMessageFaulted(_id, nameof(RepositoryCloned), StageNames.Clone, null, "RAD could not handle RepositoryCloned"));

        Assert.NotNull(await Saga.Exists(_id, m => m.Failed));
        var saga = Saga.Sagas.Contains(_id);
        Assert.Equal($"{StageNames.Clone}: RAD could not handle RepositoryCloned", saga.Error);
        Assert.Equal(StageStates.Cancelled, saga.Stages.Single(s => s.Name == StageNames.Cluster("local")).State);
    }

    [Fact]
    public async Task A_faulted_report_of_one_application_fails_it_like_a_failed_deploy_and_the_release_is_restored()
    {
        _bed.History.Current[("local", "web")] = new RevisionRecord("local", "web", 4, Guid.NewGuid(), "git://127.0.0.1/r.git", new string('f', 40),
            "127.0.0.1:5000/t/web@sha256:old", Web, RolloutPolicy.Rolling, RevisionOutcomes.Succeeded, null, _bed.Clock.GetUtcNow());
        await StartedAsync();
        await Harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        await Harness.Bus.Publish(new RepositoryCloned(_id, new string('0', 40), "/work/x", "127.0.0.1:5000/t", [Web, Api]));
        Assert.True(await Harness.Consumed.Any<RepositoryCloned>(x => x.Context.Message.DeploymentId == _id));
        foreach (var app in (string[])["web", "api"])
            await Harness.Bus.Publish(new ImageBuilt(_id, app, $"127.0.0.1:5000/t/{app}", "sha256:new", false));
        Assert.NotNull(await Saga.Exists(_id, m => m.Deploying));

        await Harness.Bus.Publish(new DeploymentMessageFaulted(_id, nameof(ApplicationDeployed), StageNames.Deploy("api"), "api", Reason));
        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));

        // Whether the faulted report's rollout changed anything is unknown, so it is undone too (removed: it had no revision).
        Assert.NotNull(await Saga.Exists(_id, m => m.Restoring));
        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));
        await Harness.Bus.Publish(new ApplicationRemoved(_id, "api"));
        Assert.NotNull(await Saga.Exists(_id, m => m.Failed));
        var error = Saga.Sagas.Contains(_id).Error;
        Assert.StartsWith($"{StageNames.Deploy("api")}: {Reason}; ", error, StringComparison.Ordinal);
        Assert.Contains("web restored to revision 4", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_faulted_message_of_an_unknown_deployment_makes_none()
    {
        await Harness.Bus.Publish(new DeploymentMessageFaulted(_id, nameof(ImageBuilt), StageNames.Build("web"), "web", "boom"));

        Assert.True(await Harness.Consumed.Any<DeploymentMessageFaulted>(x => x.Context.Message.DeploymentId == _id));
        Assert.Null(await Saga.Exists(_id, TimeSpan.FromMilliseconds(200)));
    }

    async Task StartedAsync()
    {
        await Harness.Bus.Publish(new RequestDeployment(_id, "git://127.0.0.1/r.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow()));
        Assert.NotNull(await Saga.Exists(_id, m => m.Queued));
        await Harness.Bus.Publish(new DeploymentMayStart(_id));
        Assert.NotNull(await Saga.Exists(_id, m => m.Cloning));
    }
}
