using MassTransit;
using MassTransit.Testing;
using Rad.Contracts;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

public sealed class ApplicationOwnershipTests
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 1, 30000, 30000);
    const string Commit = "0123456789abcdef0123456789abcdef01234567";

    [Theory]
    [InlineData("https://github.com/org/app.git", "https://github.com/org/app")]
    [InlineData("https://token:x-oauth@GitHub.com/org/app.git/", "https://github.com/org/app")]
    [InlineData("git@github.com:org/app.git", "https://github.com/org/app")]
    [InlineData("ssh://git@github.com/org/app", "https://github.com/org/app/")]
    [InlineData("git://127.0.0.1:9418/app.git", "git://127.0.0.1/app")]
    public void Addresses_of_one_repository_are_the_same_repository(string a, string b) =>
        Assert.True(RepositoryIdentity.Same(a, b), $"{RepositoryIdentity.Of(a)} vs {RepositoryIdentity.Of(b)}");

    [Theory]
    [InlineData("https://github.com/org/app.git", "https://github.com/org/app2")]
    [InlineData("https://github.com/org/app", "https://github.com/other/app")]
    [InlineData("https://github.com/org/app", "https://gitlab.com/org/app")]
    [InlineData("git://127.0.0.1:9418/app", "git://127.0.0.1:9419/app")]
    [InlineData("https://github.com/Org/App", "https://github.com/org/app")]
    public void Different_repositories_are_not_the_same(string a, string b) =>
        Assert.False(RepositoryIdentity.Same(a, b), $"{RepositoryIdentity.Of(a)} vs {RepositoryIdentity.Of(b)}");

    [Theory]
    [InlineData("https://user:token@host/org/app.git", "https://host/org/app.git")]
    [InlineData("git@github.com:org/app.git", "git@github.com:org/app.git")]
    [InlineData("git://127.0.0.1:9418/app.git", "git://127.0.0.1:9418/app.git")]
    public void Recorded_owners_keep_the_address_without_its_credentials(string given, string recorded) =>
        Assert.Equal(recorded, RepositoryIdentity.WithoutUserInfo(given));

    [Fact]
    public async Task Another_repositorys_application_fails_the_deployment_after_the_clone_and_builds_nothing()
    {
        await using var bed = await SagaTestBed.StartAsync();
        bed.Owners.Owners[("local", "web")] = "git://127.0.0.1/owner.git";
        var id = NewId.NextGuid();

        await bed.Harness.Bus.Publish(new RequestDeployment(id, "git://127.0.0.1/intruder.git", "main", "rad.json", "local", bed.Clock.GetUtcNow()));
        Assert.NotNull(await bed.Saga.Exists(id, m => m.Queued));
        await bed.Harness.Bus.Publish(new DeploymentMayStart(id));
        Assert.NotNull(await bed.Saga.Exists(id, m => m.Cloning));
        await bed.Harness.Bus.Publish(new RepositoryCloned(id, Commit, "/work/x", "127.0.0.1:5000/t", [Web]));

        Assert.NotNull(await bed.Saga.Exists(id, m => m.Failed));
        var saga = bed.Saga.Sagas.Contains(id);
        Assert.Equal("claim application[web]: application 'web' on cluster 'local' belongs to repository git://127.0.0.1/owner.git; " +
                     "ask an operator to run `rad apps transfer web --to git://127.0.0.1/intruder.git`, or rename it in rad.json", saga.Error);
        Assert.False(await bed.Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == id));
        Assert.False(await bed.Harness.Published.Any<DeployApplication>(x => x.Context.Message.DeploymentId == id));
        Assert.True(await bed.Harness.Published.Any<LeaveDeploymentQueue>(x => x.Context.Message.DeploymentId == id));
        Assert.Equal("git://127.0.0.1/owner.git", bed.Owners.Owners[("local", "web")]);
    }

    [Fact]
    public async Task The_owner_under_another_address_deploys_and_a_new_name_is_claimed()
    {
        await using var bed = await SagaTestBed.StartAsync();
        bed.Owners.Owners[("local", "web")] = "git://127.0.0.1/owner.git";
        var id = NewId.NextGuid();
        var api = Web with { Name = "api", Port = 30001, ContainerPort = 30001 };

        await bed.Harness.Bus.Publish(new RequestDeployment(id, "git://127.0.0.1:9418/owner/", "main", "rad.json", "local", bed.Clock.GetUtcNow()));
        Assert.NotNull(await bed.Saga.Exists(id, m => m.Queued));
        await bed.Harness.Bus.Publish(new DeploymentMayStart(id));
        await bed.Harness.Bus.Publish(new RepositoryCloned(id, Commit, "/work/x", "127.0.0.1:5000/t", [Web, api]));

        Assert.NotNull(await bed.Saga.Exists(id, m => m.Building));
        Assert.True(await bed.Harness.Published.Any<BuildImage>(x => x.Context.Message.DeploymentId == id));
        Assert.Equal("git://127.0.0.1:9418/owner/", bed.Owners.Owners[("local", "api")]);
    }
}
