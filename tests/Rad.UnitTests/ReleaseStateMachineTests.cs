using MassTransit;
using MassTransit.Testing;
using Rad.Contracts;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

/// <summary>Releases: all-or-nothing restores, pins, rollbacks and rollout steps, on the saga alone.</summary>
public sealed class ReleaseStateMachineTests : IAsyncLifetime
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 2, 30000, 8080);
    static readonly ApplicationSpec Api = new("api", "api/Dockerfile", "api", 1, 30001, 30001);
    const string Commit = "0123456789abcdef0123456789abcdef01234567";
    const string OldCommit = "fedcba9876543210fedcba9876543210fedcba98";

    readonly Guid _id = NewId.NextGuid();
    SagaTestBed _bed = null!;

    ITestHarness Harness => _bed.Harness;
    ISagaStateMachineTestHarness<DeploymentStateMachine, DeploymentState> Saga => _bed.Saga;

    public async Task InitializeAsync() => _bed = await SagaTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    void Running(ApplicationSpec spec, int revision) =>
        _bed.History.Current[("local", spec.Name)] = new RevisionRecord("local", spec.Name, revision, Guid.NewGuid(), "git://127.0.0.1/r.git", OldCommit,
            $"127.0.0.1:5000/t/{spec.Name}@sha256:old", spec, RolloutPolicy.Rolling, RevisionOutcomes.Succeeded, null, _bed.Clock.GetUtcNow());

    async Task<DeploymentState> DeployingAsync(bool rollbackOnFailure = true, bool force = false)
    {
        await Harness.Bus.Publish(new RequestDeployment(_id, "git://127.0.0.1/r.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow(),
            Trigger: "webhook:github", Force: force));
        Assert.NotNull(await Saga.Exists(_id, m => m.Queued));
        await Harness.Bus.Publish(new DeploymentMayStart(_id));
        Assert.NotNull(await Saga.Exists(_id, m => m.Cloning));
        await Harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        await Harness.Bus.Publish(new RepositoryCloned(_id, Commit, "/work/x", "127.0.0.1:5000/t", [Web, Api], rollbackOnFailure));
        Assert.True(await Harness.Consumed.Any<RepositoryCloned>(x => x.Context.Message.DeploymentId == _id));
        foreach (var app in Saga.Sagas.Contains(_id).Applications.Where(a => a.Skipped is null))
            await Harness.Bus.Publish(new ImageBuilt(_id, app.Name, $"127.0.0.1:5000/t/{app.Name}", "sha256:new", false));
        Assert.NotNull(await Saga.Exists(_id, m => m.Deploying));
        return Saga.Sagas.Contains(_id);
    }

    [Fact]
    public async Task The_same_commit_again_deploys_the_image_that_runs_it_without_a_build()
    {
        _bed.History.Current[("local", "web")] = new RevisionRecord("local", "web", 7, Guid.NewGuid(), "git://127.0.0.1/r.git", Commit,
            "127.0.0.1:5000/t/web@sha256:running", Web, RolloutPolicy.Rolling, RevisionOutcomes.Succeeded, null, _bed.Clock.GetUtcNow());
        // Built from another commit: api is built as usual.
        Running(Api, 3);
        await Harness.Bus.Publish(new RequestDeployment(_id, "git://127.0.0.1/r.git", "main", "rad.json", "local", _bed.Clock.GetUtcNow()));
        Assert.NotNull(await Saga.Exists(_id, m => m.Queued));
        await Harness.Bus.Publish(new DeploymentMayStart(_id));
        Assert.NotNull(await Saga.Exists(_id, m => m.Cloning));
        await Harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));
        await Harness.Bus.Publish(new RepositoryCloned(_id, Commit, "/work/x", "127.0.0.1:5000/t", [Web, Api], true));
        Assert.True(await Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.Application.Name == "api"));

        Assert.False(await Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.Application.Name == "web"));
        var web = Saga.Sagas.Contains(_id).Stages.Single(s => s.Name == "build docker image[web]");
        Assert.Equal(StageStates.Completed, web.State);
        Assert.Equal("127.0.0.1:5000/t/web@sha256:running (revision 7 already runs commit 0123456789ab: not rebuilt)", web.Message);

        await Harness.Bus.Publish(new ImageBuilt(_id, "api", "127.0.0.1:5000/t/api", "sha256:new", false));
        Assert.NotNull(await Saga.Exists(_id, m => m.Deploying));
        var deploys = Harness.Published.Select<DeployApplication>().Select(x => x.Context.Message).ToList();
        Assert.Contains(deploys, d => d.Application.Name == "web" && d.ImageReference == "127.0.0.1:5000/t/web@sha256:running");
    }

    [Theory]
    [InlineData("another commit")]
    [InlineData("another Dockerfile")]
    [InlineData("another registry")]
    [InlineData("a failed revision")]
    public async Task Anything_else_than_the_same_build_is_built_again(string difference)
    {
        var (commit, spec, image, outcome) = difference switch
        {
            "another commit" => (OldCommit, Web, "127.0.0.1:5000/t/web@sha256:running", RevisionOutcomes.Succeeded),
            "another Dockerfile" => (Commit, Web with { Dockerfile = "web/Dockerfile" }, "127.0.0.1:5000/t/web@sha256:running", RevisionOutcomes.Succeeded),
            "another registry" => (Commit, Web, "127.0.0.1:5000/other/web@sha256:running", RevisionOutcomes.Succeeded),
            _ => (Commit, Web, "127.0.0.1:5000/t/web@sha256:running", RevisionOutcomes.Failed),
        };
        _bed.History.Current[("local", "web")] = new RevisionRecord("local", "web", 7, Guid.NewGuid(), "git://127.0.0.1/r.git", commit,
            image, spec, RolloutPolicy.Rolling, outcome, null, _bed.Clock.GetUtcNow());

        await DeployingAsync();

        Assert.True(await Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.Application.Name == "web"));
    }

    [Fact]
    public async Task A_failed_application_lets_the_others_end_then_restores_those_changed_to_their_previous_revision()
    {
        Running(Web, 4);
        await DeployingAsync();

        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));
        await Harness.Bus.Publish(new ApplicationDeploymentFailed(_id, "api", "validate[api]: GET /healthz expected 2xx, saw status 503", Changed: false));

        Assert.True(await Harness.Published.Any<DeployApplication>(x => x.Context.Message.DeploymentId == _id
            && x.Context.Message.Purpose == DeployPurposes.Restore && x.Context.Message.ImageReference == "127.0.0.1:5000/t/web@sha256:old"
            && x.Context.Message.Commit == OldCommit));
        Assert.NotNull(await Saga.Exists(_id, m => m.Restoring));
        Assert.False(await Harness.Published.Any<RemoveApplication>(x => x.Context.Message.DeploymentId == _id));

        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));

        Assert.NotNull(await Saga.Exists(_id, m => m.Failed));
        var saga = Saga.Sagas.Contains(_id);
        Assert.Equal("deploy application[api]: validate[api]: GET /healthz expected 2xx, saw status 503; web restored to revision 4", saga.Error);
        Assert.Equal(StageStates.Completed, saga.Stages.Single(s => s.Name == "restore application[web]").State);
        Assert.True(await Harness.Published.Any<DeploymentFinished>(x => x.Context.Message.DeploymentId == _id && !x.Context.Message.Succeeded));
    }

    [Fact]
    public async Task An_application_the_failed_release_created_is_removed_again()
    {
        await DeployingAsync();

        await Harness.Bus.Publish(new ApplicationDeploymentFailed(_id, "api", "boom", Changed: false));
        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));

        Assert.True(await Harness.Published.Any<RemoveApplication>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.ApplicationName == "web"));
        await Harness.Bus.Publish(new ApplicationRemoved(_id, "web"));
        Assert.NotNull(await Saga.Exists(_id, m => m.Failed));
        Assert.Equal("deploy application[api]: boom; web removed (it had no earlier revision)", Saga.Sagas.Contains(_id).Error);
    }

    [Fact]
    public async Task Without_rollback_on_failure_the_first_failure_ends_the_deployment_and_nothing_is_restored()
    {
        Running(Web, 4);
        await DeployingAsync(rollbackOnFailure: false);

        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));
        await Harness.Bus.Publish(new ApplicationDeploymentFailed(_id, "api", "boom", Changed: true));

        Assert.NotNull(await Saga.Exists(_id, m => m.Failed));
        Assert.Equal("deploy application[api]: boom", Saga.Sagas.Contains(_id).Error);
        Assert.False(await Harness.Published.Any<DeployApplication>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.Purpose == DeployPurposes.Restore));
    }

    [Fact]
    public async Task A_pinned_application_is_skipped_and_says_why_while_the_others_deploy()
    {
        _bed.History.Pins[("local", "web")] = new PinRecord("local", "web", 3, "ana@laptop", "bad release", _bed.Clock.GetUtcNow());
        var saga = await DeployingAsync();

        var skipped = saga.Stages.Single(s => s.Name == "deploy application[web]");
        Assert.Equal(StageStates.Completed, skipped.State);
        Assert.StartsWith("skipped: pinned at revision 3 by ana@laptop on 2026-01-01 00:00:00Z (bad release); rad unpin web, or deploy with --force", skipped.Message);
        Assert.Equal(["api"], Harness.Published.Select<BuildImage>().Where(x => x.Context.Message.DeploymentId == _id).Select(x => x.Context.Message.Application.Name));
        Assert.Equal(["api"], Harness.Published.Select<DeployApplication>().Where(x => x.Context.Message.DeploymentId == _id).Select(x => x.Context.Message.Application.Name));

        await Harness.Bus.Publish(new ApplicationDeployed(_id, "api", "http://127.0.0.1:30001", 1, Changed: true));
        Assert.NotNull(await Saga.Exists(_id, m => m.Succeeded));
    }

    [Fact]
    public async Task A_forced_deployment_deploys_a_pinned_application_and_ends_its_pin()
    {
        _bed.History.Pins[("local", "web")] = new PinRecord("local", "web", 3, "ana@laptop", null, _bed.Clock.GetUtcNow());

        await DeployingAsync(force: true);

        Assert.Equal(2, Harness.Published.Select<DeployApplication>().Count(x => x.Context.Message.DeploymentId == _id));
    }

    [Fact]
    public async Task A_rollback_clones_and_builds_nothing_deploys_the_recorded_image_and_succeeds()
    {
        Running(Web, 5);
        await Harness.Bus.Publish(new RequestRollback(_id, "local", 3, "git://127.0.0.1/r.git", OldCommit, Web, "127.0.0.1:5000/t/web@sha256:three",
            "ana@laptop", "5 is broken", _bed.Clock.GetUtcNow()));
        Assert.NotNull(await Saga.Exists(_id, m => m.Queued));
        await Harness.Bus.Publish(new DeploymentMayStart(_id));
        Assert.NotNull(await Saga.Exists(_id, m => m.Building));
        await Harness.Bus.Publish(new ClusterReady(_id, "local", Network: "rad", Namespace: null, false));

        Assert.True(await Harness.Published.Any<DeployApplication>(x => x.Context.Message.DeploymentId == _id
            && x.Context.Message.Purpose == DeployPurposes.Rollback && x.Context.Message.ImageReference == "127.0.0.1:5000/t/web@sha256:three"));
        Assert.False(await Harness.Published.Any<CloneRepository>(x => x.Context.Message.DeploymentId == _id));
        Assert.False(await Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == _id));

        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));
        Assert.NotNull(await Saga.Exists(_id, m => m.Succeeded));
        var saga = Saga.Sagas.Contains(_id);
        Assert.Equal(["provision cluster[local]", "deploy application[web]"], saga.Stages.Select(s => s.Name));
        Assert.Equal("rollback by ana@laptop", saga.Trigger);
    }

    [Fact]
    public async Task Rollout_steps_become_stages_and_keep_the_deploy_stage_alive()
    {
        await DeployingAsync();
        var deadline = Saga.Sagas.Contains(_id).Stages.Single(s => s.Name == "deploy application[web]").Deadline;
        _bed.Clock.Advance(TimeSpan.FromMinutes(2));

        await Harness.Bus.Publish(new ApplicationRolloutStepped(_id, "web", "shift traffic 10%", StageStates.InProgress, "10% of the traffic to the new version"));
        await Harness.Bus.Publish(new ApplicationRolloutStepped(_id, "web", "shift traffic 10%", StageStates.Completed, "error rate 0.000 (0 of 40 requests)"));
        Assert.True(await Harness.Consumed.SelectAsync<ApplicationRolloutStepped>(x => x.Context.Message.DeploymentId == _id).Skip(1).Any());

        var saga = Saga.Sagas.Contains(_id);
        var step = saga.Stages.Single(s => s.Name == "shift traffic[web] 10%");
        Assert.Equal((StageStates.Completed, "error rate 0.000 (0 of 40 requests)"), (step.State, step.Message));
        Assert.Equal(deadline + TimeSpan.FromMinutes(2), saga.Stages.Single(s => s.Name == "deploy application[web]").Deadline);
    }

    [Fact]
    public async Task A_step_whose_report_comes_after_its_application_ended_is_closed_by_that_end_and_never_reopened()
    {
        await DeployingAsync();
        await Harness.Bus.Publish(new ApplicationRolloutStepped(_id, "web", "switch", StageStates.InProgress, "the edge moves all traffic"));
        Assert.True(await Harness.Consumed.Any<ApplicationRolloutStepped>(x => x.Context.Message.DeploymentId == _id));

        // The application's end overtakes the switch's own "Completed".
        await Harness.Bus.Publish(new ApplicationDeployed(_id, "web", "http://127.0.0.1:30000", 2, Changed: true));
        Assert.True(await Harness.Consumed.Any<ApplicationDeployed>(x => x.Context.Message.DeploymentId == _id && x.Context.Message.ApplicationName == "web"));
        var closed = Saga.Sagas.Contains(_id).Stages.Single(s => s.Name == "switch[web]");
        Assert.Equal((StageStates.Completed, "the edge moves all traffic; ended with the application"), (closed.State, closed.Message));

        // Late reports of that application change nothing, while the other application still runs.
        await Harness.Bus.Publish(new ApplicationRolloutStepped(_id, "web", "switch", StageStates.Completed, "the edge routes only the new tasks"));
        await Harness.Bus.Publish(new ApplicationRolloutStepped(_id, "web", "drain", StageStates.InProgress, "waiting for connections"));
        Assert.True(await Harness.Consumed.SelectAsync<ApplicationRolloutStepped>(x => x.Context.Message.DeploymentId == _id).Skip(2).Any());
        var saga = Saga.Sagas.Contains(_id);
        Assert.Equal((StageStates.Completed, "the edge moves all traffic; ended with the application"),
            (saga.Stages.Single(s => s.Name == "switch[web]").State, saga.Stages.Single(s => s.Name == "switch[web]").Message));
        Assert.DoesNotContain(saga.Stages, s => s.Name == "drain[web]");

        await Harness.Bus.Publish(new ApplicationDeployed(_id, "api", "http://127.0.0.1:30001", 1, Changed: true));
        Assert.NotNull(await Saga.Exists(_id, m => m.Succeeded));
        Assert.DoesNotContain(Saga.Sagas.Contains(_id).Stages, s => s.State == StageStates.InProgress);
    }
}
