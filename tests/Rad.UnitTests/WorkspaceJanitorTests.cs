using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.Cloner;
using Xunit;

namespace Rad.UnitTests;

public sealed class WorkspaceJanitorTests : IDisposable
{
    readonly DirectoryInfo _workspace = Directory.CreateTempSubdirectory("rad-janitor-");

    [Fact]
    public void Checkouts_older_than_the_retention_are_removed_and_recent_ones_kept()
    {
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var old = _workspace.CreateSubdirectory("old");
        File.WriteAllText(Path.Combine(old.FullName, "Dockerfile"), "FROM scratch");
        old.LastWriteTimeUtc = now.UtcDateTime.AddHours(-7);
        var recent = _workspace.CreateSubdirectory("recent");
        recent.LastWriteTimeUtc = now.UtcDateTime.AddHours(-1);
        var options = Options.Create(new ClonerOptions { Workspace = _workspace.FullName, WorkspaceRetention = TimeSpan.FromHours(6) });

        var clock = new FakeClock(now);
        new WorkspaceJanitor(options, new CheckoutCache(options, clock, NullLogger<CheckoutCache>.Instance), clock, NullLogger<WorkspaceJanitor>.Instance).Sweep();

        Assert.False(Directory.Exists(old.FullName));
        Assert.True(Directory.Exists(recent.FullName));
    }

    [Fact]
    public void Scratch_folders_of_a_cloner_that_no_longer_runs_go_at_once_and_a_live_ones_stay()
    {
        var now = DateTimeOffset.UtcNow;
        const int dead = 4_000_001, live = 4_000_002;
        var cacheRoot = _workspace.CreateSubdirectory(CheckoutCache.FolderName);
        var killedClone = _workspace.CreateSubdirectory($"abc.partial-{dead}-{Guid.NewGuid():N}");
        File.WriteAllText(Path.Combine(killedClone.FullName, "big"), "x");
        var killedCopy = cacheRoot.CreateSubdirectory($"0123-c0ffee.partial-{dead}-{Guid.NewGuid():N}");
        var killedRemoval = cacheRoot.CreateSubdirectory($"0123-beef.removing-{dead}-{Guid.NewGuid():N}");
        var unnamedOwner = _workspace.CreateSubdirectory($"def.partial-{Guid.NewGuid():N}");
        var liveClone = _workspace.CreateSubdirectory($"ghi.partial-{live}-{Guid.NewGuid():N}");
        var checkout = _workspace.CreateSubdirectory("jkl");
        var options = Options.Create(new ClonerOptions { Workspace = _workspace.FullName, WorkspaceRetention = TimeSpan.FromHours(6) });
        var clock = new FakeClock(now);

        new WorkspaceJanitor(options, new CheckoutCache(options, clock, NullLogger<CheckoutCache>.Instance), clock, NullLogger<WorkspaceJanitor>.Instance)
        {
            OwnerAlive = pid => pid == live,
        }.Sweep();

        Assert.False(Directory.Exists(killedClone.FullName));
        Assert.False(Directory.Exists(killedCopy.FullName));
        Assert.False(Directory.Exists(killedRemoval.FullName));
        Assert.False(Directory.Exists(unnamedOwner.FullName));
        Assert.True(Directory.Exists(liveClone.FullName));
        Assert.True(Directory.Exists(checkout.FullName));
    }

    [Fact]
    public void A_scratch_folder_names_this_process_as_its_owner()
    {
        var name = Path.GetFileName(ScratchFolder.PartialFor("/work/abc"));

        Assert.False(ScratchFolder.IsOrphan(name, ScratchFolder.ClonerAlive));
        Assert.True(ScratchFolder.IsOrphan(name, _ => false));
        Assert.False(ScratchFolder.IsOrphan("abc", _ => false));
    }

    public void Dispose() => _workspace.Delete(recursive: true);
}
