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

    public void Dispose() => _workspace.Delete(recursive: true);
}
