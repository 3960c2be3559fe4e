using MassTransit;
using Rad.Contracts;
using Rad.Status.Queue;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

/// <summary>Issue 12, item 19: a webhook push of a commit older than the running one fails after its clone, even when RAD never saw it.</summary>
public sealed class CommitAgeTests
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 1, 30000, 30000);
    const string Repository = "git://127.0.0.1/app.git";
    const string Older = "1111111111111111111111111111111111111111";
    const string Newer = "2222222222222222222222222222222222222222";
    static readonly DateTimeOffset OlderAt = new(2026, 1, 1, 10, 0, 0, TimeSpan.FromHours(2));
    static readonly DateTimeOffset NewerAt = new(2026, 1, 1, 9, 30, 0, TimeSpan.Zero);
    static readonly Guid RunningDeployment = Guid.Parse("0aaaaaaa-0000-0000-0000-000000000001");

    [Fact]
    public void A_commit_committed_before_the_running_one_is_refused_naming_both_and_the_way_to_deploy_it_anyway()
    {
        var refusal = CommitAge.Refusal(Older, OlderAt, new RunningCommit(RunningDeployment, Newer, NewerAt, NewerAt), "local", "git://user:token@127.0.0.1/app.git");
        Assert.Equal($"commit {Older} (committed 2026-01-01 08:00:00Z) is older than commit {Newer} (committed 2026-01-01 09:30:00Z), " +
                     $"which runs on cluster 'local' for git://127.0.0.1/app.git (deployment {RunningDeployment}): this push would roll it back, " +
                     "so nothing was built or changed. A forced push deploys it; so does an operator with " +
                     $"`rad deploy git://127.0.0.1/app.git --ref {Older}`", refusal);
    }

    [Theory]
    [InlineData(Newer, "2026-01-01T09:30:00Z", "2026-01-01T09:30:00Z")] // nothing runs but this commit itself
    [InlineData(Older, "2026-01-01T09:30:00Z", "2026-01-01T09:30:00Z")] // the same second: not older
    [InlineData(Older, "2026-01-01T09:30:01Z", "2026-01-01T09:30:00Z")] // newer
    [InlineData(Newer, "2025-01-01T00:00:00Z", null)] // a rollback runs: its commit time is not known
    public void A_commit_not_older_than_what_runs_or_beside_an_unknown_time_deploys(string commit, string at, string? runningAt)
    {
        var running = new RunningCommit(RunningDeployment, Newer, runningAt is null ? null : DateTimeOffset.Parse(runningAt), NewerAt);
        Assert.Null(CommitAge.Refusal(commit, DateTimeOffset.Parse(at), running, "local", Repository));
        Assert.Null(CommitAge.Refusal(commit, DateTimeOffset.Parse(at), null, "local", Repository));
    }

    [Fact]
    public async Task An_unforced_push_of_an_older_commit_fails_after_its_clone_and_claims_and_builds_nothing()
    {
        await using var bed = await SagaTestBed.StartAsync();
        bed.Running.ByQueue[DeploymentQueueKey.For(Repository, "local").Id] = new RunningCommit(RunningDeployment, Newer, NewerAt, NewerAt);
        var id = await ClonedAsync(bed, refuseOlder: true, OlderAt);

        Assert.NotNull(await bed.Saga.Exists(id, m => m.Failed));
        var saga = bed.Saga.Sagas.Contains(id);
        Assert.StartsWith($"check commit age: commit {Older} (committed 2026-01-01 08:00:00Z) is older than commit {Newer}", saga.Error);
        Assert.Equal((Older, OlderAt), (saga.Commit, saga.CommittedAt));
        Assert.Contains(saga.Stages, s => s.Name == StageNames.Clone && s.State == StageStates.Completed);
        Assert.Empty(bed.Owners.Owners);
        Assert.False(await bed.Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == id));
        Assert.True(await bed.Harness.Published.Any<LeaveDeploymentQueue>(x => x.Context.Message.DeploymentId == id));
    }

    [Theory]
    [InlineData(false, "2026-01-01T08:00:00Z")] // forced, or older commits allowed
    [InlineData(true, "2026-01-01T09:30:00Z")] // committed in the same second as the running one
    [InlineData(true, null)] // the cloner could not tell the commit's time
    public async Task A_forced_push_or_a_commit_not_known_to_be_older_deploys(bool refuseOlder, string? committedAt)
    {
        await using var bed = await SagaTestBed.StartAsync();
        bed.Running.ByQueue[DeploymentQueueKey.For(Repository, "local").Id] = new RunningCommit(RunningDeployment, Newer, NewerAt, NewerAt);
        var id = await ClonedAsync(bed, refuseOlder, committedAt is null ? null : DateTimeOffset.Parse(committedAt));

        Assert.NotNull(await bed.Saga.Exists(id, m => m.Building));
        Assert.True(await bed.Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == id));
        Assert.Equal(Repository, bed.Owners.Owners[("local", "web")]);
    }

    static async Task<Guid> ClonedAsync(SagaTestBed bed, bool refuseOlder, DateTimeOffset? committedAt)
    {
        var id = NewId.NextGuid();
        await bed.Harness.Bus.Publish(new RequestDeployment(id, Repository, Older, "rad.json", "local", bed.Clock.GetUtcNow(),
            Trigger: "webhook:github", RefuseOlderCommit: refuseOlder));
        Assert.NotNull(await bed.Saga.Exists(id, m => m.Queued));
        await bed.Harness.Bus.Publish(new DeploymentMayStart(id));
        Assert.NotNull(await bed.Saga.Exists(id, m => m.Cloning));
        await bed.Harness.Bus.Publish(new RepositoryCloned(id, Older, "/work/x", "127.0.0.1:5000/t", [Web], CommittedAt: committedAt));
        return id;
    }
}
