using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>The edge follows the tasks: a dying task, a scale-down and a redeploy never leave it routing to dead addresses.</summary>
[Collection(nameof(StackCollection))]
public sealed class EdgeTests(Stack stack)
{
    async Task<List<string>> RoutedAsync(int port)
    {
        var routes = await stack.Http.GetFromJsonAsync<JsonElement>("http://127.0.0.1:7086/routes");
        return routes.EnumerateArray().Where(r => r.GetProperty("port").GetInt32() == port)
            .SelectMany(r => r.GetProperty("backends").EnumerateArray().Select(b => b.GetString()!)).Order().ToList();
    }

    async Task<List<string>> RunningTaskAddressesAsync(string service, int port)
    {
        var ids = (await Stack.RunAsync("docker", "ps", "-q", "--filter", $"label=rad.application={service}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var addresses = new List<string>();
        foreach (var id in ids)
        {
            try
            {
                addresses.Add((await Stack.RunAsync("docker", "inspect", id, "--format", "{{(index .NetworkSettings.Networks \"rad\").IPAddress}}")).Trim() + ":" + port);
            }
            catch (InvalidOperationException)
            {
                // The container went away between listing and inspecting it (a rollout in progress): it is not running.
            }
        }
        return addresses.Order().ToList();
    }

    async Task AssertEdgeMatchesTasksAsync(string service, int port, int replicas)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        List<string> routed = [], running = [];
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            routed = await RoutedAsync(port);
            running = await RunningTaskAddressesAsync(service, port);
            if (running.Count == replicas && routed.SequenceEqual(running))
                break;
            await Task.Delay(200);
        }
        Assert.Equal(replicas, running.Count);
        Assert.Equal(running, routed);
        for (var i = 0; i < 10; i++)
            Assert.Equal($"Hello from {service}", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Dying_task_is_replaced_and_the_edge_drops_its_address()
    {
        var name = Stack.UniqueName("die");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, replicas: 2));
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(repository))).State);
        await AssertEdgeMatchesTasksAsync(name, port, 2);

        var victim = (await Stack.RunAsync("docker", "ps", "-q", "--filter", $"label=rad.application={name}")).Split('\n')[0];
        await Stack.RunAsync("docker", "kill", victim);

        // The replacement may reuse the dead task's address, so the check is that routes equal the live tasks.
        await AssertEdgeMatchesTasksAsync(name, port, 2);
        Assert.DoesNotContain(victim, await Stack.RunAsync("docker", "ps", "-q", "--filter", $"label=rad.application={name}"));
    }

    [Fact]
    public async Task Scaling_down_and_redeploying_leave_only_live_backends()
    {
        var name = Stack.UniqueName("scale");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, replicas: 3));
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(repository))).State);
        await AssertEdgeMatchesTasksAsync(name, port, 3);

        await stack.PublishRepoAsync(name, Repos.WebApp(name, port, replicas: 1, extraDockerLines: "ENV SCALED=1"));
        var scaled = await stack.WaitForEndAsync(await stack.DeployAsync(repository));

        Assert.Equal("Succeeded", scaled.State);
        await AssertEdgeMatchesTasksAsync(name, port, 1);
    }
}
