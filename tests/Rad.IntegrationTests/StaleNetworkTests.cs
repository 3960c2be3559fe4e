using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.ClusterProvisioner;
using Rad.Docker;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>
/// moby/moby#37087 on a real engine: a Docker engine killed with SIGKILL and started again rejects every task on a
/// swarm-scoped bridge network with "network &lt;id&gt; exists". Run on an engine of the test's own (IsolatedEngine).
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class StaleNetworkTests : IAsyncLifetime
{
    readonly IsolatedEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task After_an_unclean_engine_restart_the_network_is_replaced_and_services_start_again()
    {
        const string network = "rad";
        using var docker = _engine.Client();
        var swarm = new LocalSwarm(docker, new StaleNetworkRepair(docker, NullLogger<StaleNetworkRepair>.Instance),
            Options.Create(new LocalSwarmOptions { Network = network }), NullLogger<LocalSwarm>.Instance);
        await swarm.EnsureAsync(CancellationToken.None);
        await _engine.LoadImageAsync("rad/busybox:local");
        await docker.PostAsync("/services/create", new JsonObject
        {
            ["Name"] = "it-stale",
            ["TaskTemplate"] = new JsonObject
            {
                ["ContainerSpec"] = new JsonObject { ["Image"] = "rad/busybox:local", ["Command"] = new JsonArray("sleep", "3600") },
                ["Networks"] = new JsonArray(new JsonObject { ["Target"] = network }),
            },
            ["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = 1 } },
        }, CancellationToken.None);
        await WaitForAsync(docker, tasks => tasks.Any(t => State(t) == "running"), "the service to run");
        var before = (await docker.GetObjectAsync($"/networks/{network}", CancellationToken.None))["Id"]!.GetValue<string>();

        await _engine.KillAndRestartAsync();
        await WaitForAsync(docker, tasks => tasks.Any(t => t?["Status"]?["Err"]?.GetValue<string>() == $"network {before} exists"),
            "the engine to reject tasks on the restored network (the fault this heals)");

        await swarm.HealAsync(CancellationToken.None);

        var after = (await docker.GetObjectAsync($"/networks/{network}", CancellationToken.None))["Id"]!.GetValue<string>();
        Assert.NotEqual(before, after);
        await WaitForAsync(docker, tasks => tasks.Any(t => State(t) == "running" && t?["DesiredState"]?.GetValue<string>() == "running"), "the service to run again");
        var service = await docker.GetObjectAsync("/services/it-stale", CancellationToken.None);
        Assert.Equal(after, service["Spec"]!["TaskTemplate"]!["Networks"]![0]!["Target"]!.GetValue<string>());
        // Healthy now: a second pass changes nothing.
        await swarm.HealAsync(CancellationToken.None);
        Assert.Equal(after, (await docker.GetObjectAsync($"/networks/{network}", CancellationToken.None))["Id"]!.GetValue<string>());
    }

    static string? State(JsonNode? task) => task?["Status"]?["State"]?.GetValue<string>();

    static async Task WaitForAsync(DockerClient docker, Func<JsonArray, bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (condition(await docker.GetArrayAsync($"/tasks?filters={DockerClient.Filters(("service", "it-stale"))}", CancellationToken.None)))
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or DockerApiException)
            {
                // The engine (or its swarm) is still coming back.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"waited 60 s for {what}");
    }
}
