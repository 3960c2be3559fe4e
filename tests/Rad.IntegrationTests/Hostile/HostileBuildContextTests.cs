using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Rad.Contracts;
using Rad.IntegrationTests.Isolated;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 16: the builder held a whole build context in memory (four builds at once, each up to 2 GiB). It
/// streams the context to the engine now, and a context over Rad__Builder__MaxContextBytes is refused at once.
/// </summary>
[Collection(LimitedBuilderCollection.Name)]
public sealed partial class HostileBuildContextTests(LimitedBuilderRad rad, ITestOutputHelper output)
{
    const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_context_over_the_limit_is_refused_at_once_naming_the_application_its_size_and_the_setting()
    {
        var name = $"huge-{Guid.NewGuid().ToString("N")[..6]}";
        var size = LimitedBuilderRad.MaxContextBytes + 20L * MiB;
        var files = Repos.WebApp(name, IsolatedRad.FreeApplicationPort(), registry: rad.Registry);
        // Compressible, so that git carries it quickly: the size that counts is the checkout's.
        files["blob.txt"] = new string('r', (int)size);
        var id = await rad.DeployAsync(await rad.PublishRepoAsync(name, files));

        var ended = await rad.WaitForEndAsync(id, TimeSpan.FromSeconds(120));
        var build = ended.Stages.Single(s => s.Name == StageNames.Build(name));
        var answer = (build.CompletedAt!.Value - build.StartedAt).TotalMilliseconds;
        output.WriteLine($"refused in {answer:0} ms after the build stage started: {ended.Error}");
        Assert.Equal("Failed", ended.State);
        Assert.Matches($"^build docker image\\[{name}\\]: the build context of application {name} holds [0-9.]+ MiB \\([0-9]+ bytes\\) of files, " +
                       $"over the limit of [0-9.]+ MiB \\({LimitedBuilderRad.MaxContextBytes} bytes\\) set by Rad__Builder__MaxContextBytes; " +
                       "leave files out with a .dockerignore, or raise the limit$", ended.Error);
        Assert.True(long.Parse(ContextBytes().Match(ended.Error!).Groups[1].Value) >= size);
        Assert.True(answer < 1000, $"the refusal took {answer:0} ms");
    }

    [Fact]
    public async Task A_large_context_is_streamed_to_the_engine_without_the_builder_holding_it_in_memory()
    {
        var name = $"large-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var files = Repos.WebApp(name, port, registry: rad.Registry);
        // Random, so that nothing on the way can make it smaller; in files of 30 MiB at most.
        var remaining = LimitedBuilderRad.LargeContextMiB * (long)MiB;
        for (var part = 0; remaining > 0; part++, remaining -= 30 * MiB)
            files[$"data/part-{part}.txt"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes((int)(Math.Min(remaining, 30 * MiB) * 3 / 4)));
        var repository = await rad.PublishRepoAsync(name, files, TimeSpan.FromMinutes(5));

        var builder = rad.ProcessId("builder").ToString(System.Globalization.CultureInfo.InvariantCulture);
        var before = ProcessStatus.Kib(builder, "VmRSS");
        // The peak read after is this build's.
        await ProcessStatus.ResetPeakAsync(builder);
        var watch = Stopwatch.StartNew();
        var ended = await rad.WaitForEndAsync(await rad.DeployAsync(repository), TimeSpan.FromMinutes(5));
        var peak = ProcessStatus.Kib(builder, "VmHWM");
        output.WriteLine($"{LimitedBuilderRad.LargeContextMiB} MiB context: deployment {ended.State} in {watch.Elapsed.TotalSeconds:0.0} s; builder resident " +
                         $"{before / 1024} MiB before, peak {peak / 1024} MiB during the build (+{(peak - before) / 1024} MiB)");
        Assert.True(ended.State == "Succeeded", $"{name} ended {ended.State}: {ended.Error}\n{rad.Tails()}");
        Assert.Equal($"Hello from {name}", (await rad.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim());
        Assert.True(peak - before < 80 * 1024, $"the builder's resident memory grew by {(peak - before) / 1024} MiB for a {LimitedBuilderRad.LargeContextMiB} MiB context");
    }

    [GeneratedRegex(@"holds [0-9.]+ MiB \(([0-9]+) bytes\)")]
    private static partial Regex ContextBytes();
}
