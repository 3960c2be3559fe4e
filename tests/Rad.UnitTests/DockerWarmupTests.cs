using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

public class DockerWarmupTests
{
    [Fact]
    public async Task Without_an_engine_the_warm_up_ends_at_once_and_lets_the_service_start()
    {
        using var docker = DockerRegistration.Connect(Path.Combine(Path.GetTempPath(), $"no-engine-{Guid.NewGuid():N}.sock"));
        var watch = Stopwatch.StartNew();

        await new DockerWarmup(docker, NullLogger<DockerWarmup>.Instance).StartAsync(CancellationToken.None);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the warm-up held the start for {watch.Elapsed}");
    }
}
