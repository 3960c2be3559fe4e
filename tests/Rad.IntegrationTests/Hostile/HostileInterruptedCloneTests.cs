using System.Diagnostics;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 6: killing the cloner mid-clone left its NAME.partial-GUID folder (77 MB each) until the janitor's 6 h
/// retention, after the deployment had succeeded. A scratch folder names its owner now, and the restarted cloner removes
/// those of a cloner that no longer runs at once.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class HostileInterruptedCloneTests(Stack stack)
{
    [Fact]
    public async Task A_clone_killed_midway_leaves_no_folder_once_the_cloner_is_back()
    {
        var name = Stack.UniqueName("partial");
        var files = Repos.WebApp(name, Stack.FreePort());
        // Random text git cannot shrink much, so the clone lasts long enough to be killed in the middle.
        files["www/big.txt"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(60 << 20));
        var repository = await stack.PublishRepoAsync(name, files);
        var workspace = new DirectoryInfo(Path.Combine(stack.State, "work"));
        var before = Partials(workspace).ToHashSet();

        var id = await stack.DeployAsync(repository);
        var left = await FirstNewPartialAsync(workspace, before, TimeSpan.FromSeconds(60));
        stack.KillService("cloner");
        Assert.True(Directory.Exists(left), "the scratch folder was already gone when the cloner was killed: the test proves nothing");

        await stack.ScriptAsync("up");
        var watch = Stopwatch.StartNew();
        while (Directory.Exists(left) && watch.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(100);

        Assert.False(Directory.Exists(left), $"{left} is still there {watch.Elapsed.TotalSeconds:0} s after the cloner started again");
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(id, TimeSpan.FromMinutes(3))).State);
    }

    static IEnumerable<string> Partials(DirectoryInfo workspace) =>
        workspace.Exists ? workspace.EnumerateDirectories("*.partial-*").Select(d => d.FullName) : [];

    static async Task<string> FirstNewPartialAsync(DirectoryInfo workspace, HashSet<string> before, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (Partials(workspace).FirstOrDefault(p => !before.Contains(p)) is { } partial)
                return partial;
            await Task.Delay(10);
        }
        throw new TimeoutException($"no clone began within {limit.TotalSeconds:0} s");
    }
}
