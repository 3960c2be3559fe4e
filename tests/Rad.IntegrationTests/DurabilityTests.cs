using System.Collections.Concurrent;
using MassTransit;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests;

[Collection(nameof(StackCollection))]
public sealed class DurabilityTests(Stack stack)
{
    [Fact]
    public async Task Builder_killed_mid_build_finishes_the_deployment_after_scripts_up_restarts_it()
    {
        var name = Stack.UniqueName("kill9");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, extraDockerLines: $"RUN sleep 4 && echo {Guid.NewGuid()} > /built"));
        var id = await stack.DeployAsync(repository);
        await stack.WaitForStageAsync(id, $"build docker image[{name}]", TimeSpan.FromSeconds(30));
        await Task.Delay(1500);

        stack.KillService("builder");
        await stack.ScriptAsync("up");
        var deployment = await stack.WaitForEndAsync(id);

        Assert.Equal("Succeeded", deployment.State);
        Assert.Equal($"Hello from {name}", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
        Assert.Single((await stack.LogAsync(id)).Split('\n'), l => l.EndsWith($"[COMPLETED]: build docker image[{name}]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_killed_mid_deployment_continues_from_postgresql_after_restart()
    {
        var name = Stack.UniqueName("status");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, extraDockerLines: $"RUN sleep 3 && echo {Guid.NewGuid()} > /built"));
        var id = await stack.DeployAsync(repository);
        await stack.WaitForStageAsync(id, $"build docker image[{name}]", TimeSpan.FromSeconds(30));

        stack.KillService("status");
        await Task.Delay(4000); // the build finishes and its event waits in RabbitMQ while the saga's host is down
        await stack.ScriptAsync("up");
        var deployment = await stack.WaitForEndAsync(id);

        Assert.Equal("Succeeded", deployment.State);
        Assert.Equal($"Hello from {name}", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Stuck_stage_fails_the_deployment_naming_the_stage_when_its_deadline_passes()
    {
        // scripts/test gives the clone stage a 15 s deadline; with the cloner down, nothing completes it.
        stack.KillService("cloner");
        try
        {
            var id = await stack.DeployAsync("git://127.0.0.1:9418/sample.git");
            var deployment = await stack.WaitForEndAsync(id, TimeSpan.FromSeconds(90));

            Assert.Equal("Failed", deployment.State);
            Assert.Matches(@"^clone user git repository: stage 'clone user git repository' did not finish within its deadline of \d+ s",
                deployment.Error);
            Assert.Contains("[FAILED]: clone user git repository : stage 'clone user git repository' did not finish", await stack.LogAsync(id));
        }
        finally
        {
            await stack.ScriptAsync("up");
        }
    }

    [Fact]
    public async Task Redelivered_build_and_deploy_commands_neither_build_nor_roll_out_twice()
    {
        var deploymentId = NewId.NextGuid();
        var name = Stack.UniqueName("redeliver");
        var port = Stack.FreePort();
        var workspace = Path.Combine(stack.State, "work", "it-" + deploymentId.ToString("N"));
        foreach (var (path, content) in Repos.WebApp(name, port, extraDockerLines: $"RUN echo {Guid.NewGuid()} > /built"))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(workspace, path))!);
            await File.WriteAllTextAsync(Path.Combine(workspace, path), content);
        }
        var built = new ConcurrentQueue<ImageBuilt>();
        var deployed = new ConcurrentQueue<ApplicationDeployed>();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", "/", h => { h.Username("guest"); h.Password("guest"); });
            cfg.ReceiveEndpoint($"it-observer-{deploymentId:N}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<ImageBuilt>(c => { if (c.Message.DeploymentId == deploymentId) built.Enqueue(c.Message); return Task.CompletedTask; });
                e.Handler<ApplicationDeployed>(c => { if (c.Message.DeploymentId == deploymentId) deployed.Enqueue(c.Message); return Task.CompletedTask; });
            });
        });
        await bus.StartAsync();
        try
        {
            var spec = new ApplicationSpec(name, "Dockerfile", ".", 1, port, port);
            var build = new BuildImage(deploymentId, "it", new string('a', 40), workspace, "127.0.0.1:5000/it", spec);
            await Task.WhenAll(bus.Publish(build), bus.Publish(build));
            await Until(() => built.Count == 2, TimeSpan.FromSeconds(60));

            Assert.Equal([false, true], built.Select(b => b.Reused).Order());
            Assert.Single(built.Select(b => b.Digest).Distinct());

            var image = built.First();
            var deploy = new DeployApplication(deploymentId, "local", Network: "rad", Namespace: null, "it", new string('a', 40), spec, $"{image.Image}@{image.Digest}");
            await bus.Publish(deploy);
            await Until(() => deployed.Count == 1, TimeSpan.FromSeconds(60));
            var versionAfterFirst = await Stack.RunAsync("docker", "service", "inspect", name, "--format", "{{.Version.Index}}");
            await bus.Publish(deploy);
            await Until(() => deployed.Count == 2, TimeSpan.FromSeconds(60));

            Assert.Equal([true, false], deployed.Select(d => d.Changed));
            Assert.Equal(versionAfterFirst, await Stack.RunAsync("docker", "service", "inspect", name, "--format", "{{.Version.Index}}"));
            Assert.Equal($"Hello from {name}", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
        }
        finally
        {
            await bus.StopAsync();
            Directory.Delete(workspace, recursive: true);
        }
    }

    static async Task Until(Func<bool> condition, TimeSpan limit)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
                throw new TimeoutException($"condition not met within {limit.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
