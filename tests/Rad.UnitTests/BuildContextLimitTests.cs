using System.Formats.Tar;
using Rad.Builder;
using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

/// <summary>The build context's size: measured before sending (after .dockerignore) and enforced while streaming; and the builds a deployment's end stops.</summary>
public sealed class BuildContextLimitTests : IDisposable
{
    readonly string _context = Directory.CreateTempSubdirectory("rad-context-").FullName;

    public BuildContextLimitTests()
    {
        File.WriteAllText(Path.Combine(_context, "Dockerfile"), "FROM scratch\n");
        Directory.CreateDirectory(Path.Combine(_context, "data"));
        File.WriteAllBytes(Path.Combine(_context, "data", "a.bin"), new byte[300_000]);
        File.WriteAllBytes(Path.Combine(_context, "data", "b.bin"), new byte[200_000]);
        File.WriteAllBytes(Path.Combine(_context, "ignored.bin"), new byte[1_000_000]);
        File.WriteAllText(Path.Combine(_context, ".dockerignore"), "ignored.bin\n");
    }

    [Fact]
    public void File_bytes_count_what_the_context_sends_and_not_what_dockerignore_leaves_out()
    {
        // The Dockerfile (13 bytes) and the .dockerignore itself (12), which docker sends too.
        Assert.Equal(300_000 + 200_000 + 13 + 12, BuildContext.FileBytes(_context));
    }

    [Fact]
    public async Task A_tar_that_would_pass_the_limit_stops_there_naming_the_size_and_the_file()
    {
        using var output = new MemoryStream();

        var e = await Assert.ThrowsAsync<BuildContextTooLargeException>(() => BuildContext.WriteAsync(_context, output, 400_000, CancellationToken.None));

        Assert.True(e.Reached > 400_000, $"reached {e.Reached}");
        Assert.Equal(400_000, e.Limit);
        Assert.StartsWith("data/", e.At);
        Assert.True(output.Length <= 400_000, $"wrote {output.Length} bytes");
    }

    [Fact]
    public async Task A_tar_within_the_limit_holds_every_file_in_full()
    {
        using var output = new MemoryStream();
        await BuildContext.WriteAsync(_context, output, 600_000, CancellationToken.None);
        output.Position = 0;

        var sizes = new Dictionary<string, long>();
        await using (var reader = new TarReader(output))
            while (await reader.GetNextEntryAsync() is { } entry)
                sizes[entry.Name] = entry.Length;
        Assert.Equal(300_000, sizes["data/a.bin"]);
        Assert.Equal(200_000, sizes["data/b.bin"]);
        Assert.DoesNotContain("ignored.bin", sizes.Keys);
    }

    [Fact]
    public async Task A_streamed_context_gives_the_same_tar_and_reports_a_context_past_the_limit()
    {
        await using (var streamed = StreamedBuildContext.Start(_context, 600_000, CancellationToken.None))
        {
            using var copy = new MemoryStream();
            await streamed.Tar.CopyToAsync(copy);
            Assert.Null(await streamed.StopAsync());
            Assert.InRange(copy.Length, 500_000, 600_000);
        }
        await using (var tooLarge = StreamedBuildContext.Start(_context, 100_000, CancellationToken.None))
        {
            await Assert.ThrowsAsync<BuildContextTooLargeException>(() => tooLarge.Tar.CopyToAsync(Stream.Null));
            Assert.IsType<BuildContextTooLargeException>(await tooLarge.StopAsync());
        }
    }

    [Fact]
    public void A_deployment_that_ends_cancels_its_running_builds_and_refuses_later_ones_but_not_another_deployments()
    {
        var builds = new DeploymentBuilds();
        var (ended, other) = (Guid.NewGuid(), Guid.NewGuid());
        using var first = builds.Begin(ended, CancellationToken.None)!;
        using var second = builds.Begin(ended, CancellationToken.None)!;
        using var unrelated = builds.Begin(other, CancellationToken.None)!;

        Assert.Equal(2, builds.End(ended));

        Assert.True(first.Token.IsCancellationRequested && second.Token.IsCancellationRequested);
        Assert.False(unrelated.Token.IsCancellationRequested);
        Assert.Null(builds.Begin(ended, CancellationToken.None));
        Assert.Equal(1, builds.Running);
    }

    public void Dispose() => Directory.Delete(_context, recursive: true);
}
