using System.Diagnostics;
using Rad.Contracts;
using Rad.IntegrationTests.Isolated;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 15: a build that never ends (RUN sleep 1000000) must not hold a build slot forever, and a deployment
/// that has failed must stop the builds of its other applications. The builder here has two slots and a timeout of 15 s.
/// </summary>
[Collection(LimitedBuilderCollection.Name)]
public sealed class HostileBuildTimeoutTests(LimitedBuilderRad rad, ITestOutputHelper output)
{
    [Fact]
    public async Task A_build_past_its_timeout_fails_with_the_reason_and_frees_its_slot_for_the_next_build()
    {
        var sleepers = new List<(string Name, string Sleep, Guid Id)>();
        foreach (var prefix in (string[])["hang-a", "hang-b"])
        {
            var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
            var sleep = $"sleep {Random.Shared.Next(1_000_000, 2_000_000)}";
            var repository = await rad.PublishRepoAsync(name, Repos.WebApp(name, IsolatedRad.FreeApplicationPort(), extraDockerLines: $"RUN {sleep}", registry: rad.Registry));
            sleepers.Add((name, sleep, await rad.DeployAsync(repository)));
        }
        // Both slots are taken by builds that would never end on their own before the good one asks for a slot.
        await WaitForAsync("both endless builds to run in the engine", async () => (await RunningCommandsAsync()).Count(c => sleepers.Any(s => c.Contains(s.Sleep))) == 2,
            TimeSpan.FromSeconds(60));
        var slotsTaken = Stopwatch.StartNew();

        var good = $"after-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(good);
        var goodId = await rad.DeployAsync(await rad.PublishRepoAsync(good, Repos.WebApp(good, port, registry: rad.Registry)));

        foreach (var (name, sleep, id) in sleepers)
        {
            var ended = await rad.WaitForEndAsync(id, TimeSpan.FromSeconds(90));
            var build = ended.Stages.Single(s => s.Name == StageNames.Build(name));
            output.WriteLine($"{name}: {ended.State} after {(build.CompletedAt - build.StartedAt)?.TotalSeconds:0.0} s of build stage: {ended.Error}");
            Assert.Equal("Failed", ended.State);
            Assert.Contains($"build of application {name} exceeded {LimitedBuilderRad.BuildTimeout.TotalSeconds:0} s at Step 3/", ended.Error);
            Assert.EndsWith($" : RUN {sleep}; it was stopped (the limit is Rad__Builder__BuildTimeout)", ended.Error);
        }
        var after = await rad.WaitForEndAsync(goodId, TimeSpan.FromSeconds(90));
        output.WriteLine($"{good}: {after.State} {slotsTaken.Elapsed.TotalSeconds:0.0} s after both slots were taken");
        Assert.True(after.State == "Succeeded", $"{good} ended {after.State}: {after.Error}\n{rad.Tails()}");
        Assert.Equal($"Hello from {good}", (await rad.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim());
        // The engine stopped the endless steps too: their containers are gone, not left running.
        await WaitForAsync("the engine to remove the stopped builds' containers",
            async () => !(await RunningCommandsAsync()).Any(c => sleepers.Any(s => c.Contains(s.Sleep))), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_deployment_failed_by_one_application_stops_the_running_build_of_its_other_application()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (slow, bad) = ($"slow-{suffix}", $"bad-{suffix}");
        var sleep = $"sleep {Random.Shared.Next(1_000_000, 2_000_000)}";
        var repository = await rad.PublishRepoAsync($"siblings-{suffix}", new Dictionary<string, string>
        {
            ["rad.json"] = Repos.RadJsonFor(rad.Registry, (slow, "Dockerfile.slow", 1, IsolatedRad.FreeApplicationPort()), (bad, "Dockerfile.bad", 1, IsolatedRad.FreeApplicationPort())),
            ["Dockerfile.slow"] = $"FROM rad/busybox:local\nRUN {sleep}\n",
            // Fails once the slow one is surely inside its endless step.
            ["Dockerfile.bad"] = "FROM rad/busybox:local\nRUN sleep 2 && echo broken on purpose && exit 3\n",
        });
        var id = await rad.DeployAsync(repository);

        var ended = await rad.WaitForEndAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal("Failed", ended.State);
        Assert.Contains($"build docker image[{bad}]", ended.Error);
        var endedAt = Stopwatch.StartNew();
        // Well before the timeout: the builder learnt that the deployment ended and stopped the build.
        await WaitForAsync("the builder to stop the sibling's build", () => Task.FromResult(
            rad.ProcessLog("builder").Contains($"Stopped the build of {slow} while building: deployment {id} has ended", StringComparison.Ordinal)), TimeSpan.FromSeconds(5));
        await WaitForAsync("the engine to remove the sibling's endless step", async () => !(await RunningCommandsAsync()).Any(c => c.Contains(sleep)),
            TimeSpan.FromSeconds(5));
        output.WriteLine($"{slow}'s build stopped and its container gone {endedAt.Elapsed.TotalSeconds:0.00} s after the deployment ended: {ended.Error}");
        Assert.DoesNotContain($"build of application {slow} exceeded", rad.ProcessLog("builder"));
    }

    /// <summary>The command of every running container (build steps included, which have no label of RAD's).</summary>
    static async Task<string[]> RunningCommandsAsync() =>
        (await Stack.RunAsync("docker", "ps", "--no-trunc", "--format", "{{.Command}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    static async Task WaitForAsync(string what, Func<Task<bool>> done, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!await done())
        {
            if (watch.Elapsed > limit)
                throw new TimeoutException($"waited {limit.TotalSeconds:0} s for {what}");
            await Task.Delay(100);
        }
    }
}
