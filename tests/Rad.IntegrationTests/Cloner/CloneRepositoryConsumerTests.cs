using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rad.Cloner;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests.Cloner;

/// <summary>The cloner's consumers on MassTransit's in-memory harness, cloning from the test's own git daemon.</summary>
public sealed class CloneRepositoryConsumerTests(GitServer server) : IClassFixture<GitServer>, IAsyncLifetime
{
    readonly DirectoryInfo _workspace = Directory.CreateTempSubdirectory("rad-workspace-");
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<CheckoutCache>()
            .Configure<ClonerOptions>(o => (o.Workspace, o.CachedCheckouts) = (_workspace.FullName, 2))
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<CloneRepositoryConsumer>();
                x.AddConsumer<DeploymentFinishedConsumer>();
            })
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    async Task<RepositoryCloned> CloneAsync(Guid id, string gitRef)
    {
        var before = _harness.Published.Select<RepositoryCloned>(m => m.Context.Message.DeploymentId == id).Count();
        await _harness.Bus.Publish(new CloneRepository(id, server.GitUrl("app"), gitRef, "rad.json"));
        for (var waited = 0; waited < 300; waited++)
        {
            var failed = _harness.Published.Select<CloneFailed>(m => m.Context.Message.DeploymentId == id).FirstOrDefault();
            Assert.True(failed is null, failed?.Context.Message.Reason);
            var cloned = _harness.Published.Select<RepositoryCloned>(m => m.Context.Message.DeploymentId == id).ToList();
            if (cloned.Count > before)
                return cloned[^1].Context.Message;
            await Task.Delay(100);
        }
        throw new TimeoutException($"deployment {id} was not cloned within 30 s");
    }

    [Fact]
    public async Task A_redeploy_of_the_same_commit_copies_the_cached_checkout_without_fetching()
    {
        var first = NewId.NextGuid();
        var second = NewId.NextGuid();

        var requestsBefore = server.UploadPackRequests("app");
        var one = await CloneAsync(first, "HEAD");
        var requestsForFirst = server.UploadPackRequests("app") - requestsBefore;
        var fetchedHasGit = Directory.Exists(Path.Combine(one.WorkspacePath, ".git"));
        // The cache is filled right after RepositoryCloned; a real deployment finishes seconds later.
        await WaitUntilAsync(() => Cached().Count == 1);
        await _harness.Bus.Publish(new DeploymentFinished(first, true, one.WorkspacePath));
        var two = await CloneAsync(second, "main");
        var requestsForSecond = server.UploadPackRequests("app") - requestsBefore - requestsForFirst;

        Assert.Equal(2, requestsForFirst);   // ls-remote, then the fetch
        Assert.Equal(1, requestsForSecond);  // ls-remote only
        Assert.Equal(server.Third, one.Commit);
        Assert.Equal(server.Third, two.Commit);
        Assert.NotEqual(one.WorkspacePath, two.WorkspacePath);
        Assert.Equal(Path.Combine(_workspace.FullName, second.ToString("N")), two.WorkspacePath);
        Assert.True(File.Exists(Path.Combine(two.WorkspacePath, "third.txt")));
        Assert.Equal("second.txt", new FileInfo(Path.Combine(two.WorkspacePath, "link.txt")).LinkTarget);
        Assert.True(fetchedHasGit);
        Assert.False(Directory.Exists(Path.Combine(two.WorkspacePath, ".git")));  // the cache keeps working trees only
        Assert.Equal(["app"], two.Applications.Select(a => a.Name));
        await WaitUntilAsync(() => !Directory.Exists(one.WorkspacePath));
    }

    [Fact]
    public async Task A_redelivered_command_reports_the_existing_checkout_without_contacting_the_server()
    {
        var id = NewId.NextGuid();
        var once = await CloneAsync(id, "feature");
        var requests = server.UploadPackRequests("app");

        var again = await CloneAsync(id, "feature");

        Assert.Equal(requests, server.UploadPackRequests("app"));
        Assert.Equal(once.WorkspacePath, again.WorkspacePath);
        Assert.Equal(server.Second, again.Commit);
    }

    [Fact]
    public async Task A_checkout_over_the_size_limit_is_not_kept_and_a_redeploy_of_its_commit_fetches_it_again()
    {
        _provider.GetRequiredService<IOptions<ClonerOptions>>().Value.CachedCheckoutMegabytes = 0;
        var first = NewId.NextGuid();
        var requestsBefore = server.UploadPackRequests("app");

        var one = await CloneAsync(first, "HEAD");
        // The checkout would be cached by now: the consumer adds it before it returns.
        Assert.True(await _harness.Consumed.Any<CloneRepository>(m => m.Context.Message.DeploymentId == first));
        Assert.Empty(Cached());
        var two = await CloneAsync(NewId.NextGuid(), "HEAD");

        Assert.Equal(4, server.UploadPackRequests("app") - requestsBefore);  // ls-remote and fetch, both times
        Assert.Empty(Cached());
        Assert.Equal(server.Third, one.Commit);
        Assert.Equal(server.Third, two.Commit);
        Assert.True(File.Exists(Path.Combine(two.WorkspacePath, "third.txt")));
    }

    [Fact]
    public async Task The_cache_keeps_at_most_the_configured_number_of_checkouts()
    {
        foreach (var gitRef in new[] { server.First, "feature", "main" })
            await CloneAsync(NewId.NextGuid(), gitRef);

        await WaitUntilAsync(() => Cached() is { Count: 2 } cached && !cached.Any(c => c.EndsWith(server.First, StringComparison.Ordinal)));
    }

    List<string> Cached()
    {
        var folder = Path.Combine(_workspace.FullName, CheckoutCache.FolderName);
        return Directory.Exists(folder) ? [.. Directory.GetDirectories(folder).Select(d => Path.GetFileName(d)).Where(n => !n.Contains('.'))] : [];
    }

    static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; waited < 100 && !condition(); waited++)
            await Task.Delay(100);
        Assert.True(condition());
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        _workspace.Delete(recursive: true);
    }
}
