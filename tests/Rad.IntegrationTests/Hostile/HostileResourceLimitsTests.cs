using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Rad.Contracts;
using Rad.Docker;
using Rad.IntegrationTests.Isolated;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// The test's own RAD with a replica budget of <see cref="Room"/> replicas over what RAD's applications already run on the
/// local Swarm when it starts (the suite leaves the applications of earlier tests running there, and runs one test at a time).
/// </summary>
public sealed class LimitsRad : IsolatedRad
{
    public const int Room = 30;

    /// <summary>The replicas this RAD allows on the local Swarm in all.</summary>
    public int Budget { get; private set; }

    protected override void Configure(IDictionary<string, string> environment)
    {
        using var docker = DockerRegistration.Connect();
        var running = SwarmTasks.ServicesAsync(docker, CancellationToken.None, ("label", $"{SwarmSlot.ManagedLabel}=true")).GetAwaiter().GetResult()
            .Select(SwarmSlot.From).OfType<SwarmSlot>().Where(s => s.Traffic > 0).Sum(s => s.Replicas);
        Budget = running + Room;
        environment["Rad__Deployer__ReplicaBudget"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Issue 12, item 20: deployed services ran without any resource limit (50 applications x 100 replicas were accepted on the
/// host that runs PostgreSQL and RabbitMQ), and `rad ... --follow` could hang forever after a RabbitMQ restart because
/// the event stream ended only on a bus message. Each against a RAD of the test's own (IsolatedRad), on the engine's Swarm.
/// </summary>
public sealed class HostileResourceLimitsTests(LimitsRad rad, ITestOutputHelper output) : IClassFixture<LimitsRad>, IDisposable
{
    readonly IDockerClient _docker = DockerRegistration.Connect();

    [Fact]
    public async Task Every_task_runs_with_rad_json_limits_or_the_default_ones_as_the_engine_reports_them()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (limited, unlimited) = ($"lim-{suffix}", $"def-{suffix}");
        var (port1, port2) = (IsolatedRad.FreeApplicationPort(), IsolatedRad.FreeApplicationPort());
        rad.RemoveAtEnd(limited);
        rad.RemoveAtEnd(unlimited);
        var files = Repos.WebApp(limited, port1, registry: rad.Registry);
        files["Dockerfile2"] = files["Dockerfile"].Replace($"-p {port1}", $"-p {port2}", StringComparison.Ordinal);
        files["rad.json"] = $$"""
            {
              "applications": [
                { "application_name": "{{limited}}", "dockerfile": "Dockerfile", "replica_count": 1, "port": {{port1}},
                  "resources": { "limits": { "memory": "64Mi", "cpu": "250m" }, "requests": { "memory": "16Mi", "cpu": "50m" } } },
                { "application_name": "{{unlimited}}", "dockerfile": "Dockerfile2", "replica_count": 1, "port": {{port2}} }
              ],
              "registry": { "address": "{{rad.Registry}}" }
            }
            """;
        var id = await rad.DeployAsync(await rad.PublishRepoAsync(limited, files));

        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));

        Assert.True(deployment.State == "Succeeded", $"{deployment.State}: {deployment.Error}\n{rad.Tails()}");
        var spec = (await _docker.Swarm.InspectServiceAsync(limited)).Spec!.TaskTemplate!.Resources!;
        Assert.Equal((250_000_000L, 64L * 1024 * 1024), (spec.Limits!.NanoCPUs, spec.Limits.MemoryBytes));
        Assert.Equal((50_000_000L, 16L * 1024 * 1024), (spec.Reservations!.NanoCPUs, spec.Reservations.MemoryBytes));
        var defaults = (await _docker.Swarm.InspectServiceAsync(unlimited)).Spec!.TaskTemplate!.Resources!;
        Assert.Equal((500_000_000L, 256L * 1024 * 1024), (defaults.Limits!.NanoCPUs, defaults.Limits.MemoryBytes));
        // And the containers run under them: the engine's own view of each task's cgroup limits.
        Assert.Equal((250_000_000L, 64L * 1024 * 1024), await ContainerLimitsAsync(limited));
        Assert.Equal((500_000_000L, 256L * 1024 * 1024), await ContainerLimitsAsync(unlimited));
    }

    async Task<(long NanoCpus, long Memory)> ContainerLimitsAsync(string service)
    {
        var tasks = await _docker.Tasks.ListAsync(new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
                { ["service"] = new Dictionary<string, bool> { [service] = true }, ["desired-state"] = new Dictionary<string, bool> { ["running"] = true } },
        });
        var container = await _docker.Containers.InspectContainerAsync(tasks.Single().Status!.ContainerStatus!.ContainerID);
        output.WriteLine($"{service}: NanoCpus {container.HostConfig!.NanoCPUs}, Memory {container.HostConfig.Memory}");
        return (container.HostConfig!.NanoCPUs, container.HostConfig.Memory);
    }

    [Fact]
    public async Task A_resource_the_engine_would_refuse_fails_the_clone_stage_naming_the_field()
    {
        var name = $"badres-{Guid.NewGuid().ToString("N")[..6]}";
        var files = Repos.WebApp(name, IsolatedRad.FreeApplicationPort(), registry: rad.Registry);
        files["rad.json"] = files["rad.json"].Replace("\"replica_count\": 1,", "\"replica_count\": 1, \"resources\": { \"limits\": { \"memory\": \"512m\" } },", StringComparison.Ordinal);
        var id = await rad.DeployAsync(await rad.PublishRepoAsync(name, files));

        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(1));

        var clone = deployment.Stages.Single(s => s.Name == StageNames.Clone);
        output.WriteLine($"{deployment.State} after the clone stage's {(clone.CompletedAt!.Value - clone.StartedAt).TotalMilliseconds:0} ms: {deployment.Error}");
        Assert.Equal("Failed", deployment.State);
        Assert.Contains("applications[0].resources.limits.memory \"512m\" is less than 1Mi (m means thousandths: did you mean \"512mi\"?)", deployment.Error);
        Assert.DoesNotContain(deployment.Stages, s => s.Name == StageNames.Build(name));
    }

    [Fact]
    public async Task A_deployment_over_the_clusters_replica_budget_fails_while_its_image_builds_naming_the_budget_what_runs_and_what_was_asked()
    {
        var name = $"budget-{Guid.NewGuid().ToString("N")[..6]}";
        rad.RemoveAtEnd(name);
        var asked = LimitsRad.Room + 1;
        // A build of a minute: the refusal must not wait for it.
        var files = Repos.WebApp(name, IsolatedRad.FreeApplicationPort(), replicas: asked, registry: rad.Registry,
            extraDockerLines: $"RUN sleep 60 && echo {Guid.NewGuid()} > /built");
        var id = await rad.DeployAsync(await rad.PublishRepoAsync(name, files));

        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromSeconds(30));

        var clone = deployment.Stages.Single(s => s.Name == StageNames.Clone);
        var deploy = deployment.Stages.Single(s => s.Name == StageNames.Deploy(name));
        var afterClone = deployment.CompletedAt!.Value - clone.CompletedAt!.Value;
        var reason = deployment.Error ?? "";
        output.WriteLine($"{deployment.State} {afterClone.TotalMilliseconds:0} ms after the clone: {reason}\n"
                         + string.Join('\n', deployment.Stages.Select(s => $"  {s.Name}: {s.State} {s.Message}")));
        Assert.Equal("Failed", deployment.State);
        Assert.Equal(StageStates.Failed, deploy.State);
        Assert.Equal(StageStates.Cancelled, deployment.Stages.Single(s => s.Name == StageNames.Build(name)).State);
        Assert.Contains($"replica budget of cluster 'local' exceeded: it allows {rad.Budget} replica(s) in all (Rad__Deployer__ReplicaBudget); ", reason);
        Assert.Matches($@"\d+ run for other applications.* and {name} asks for {asked}, \d+ in all", reason);
        Assert.True(afterClone < TimeSpan.FromSeconds(1), $"the refusal came {afterClone.TotalMilliseconds:0} ms after the clone");
        // Refused before the Swarm was touched: no service of that name, in either slot.
        var services = await _docker.Swarm.ListServicesAsync(new ServiceListParameters
            { Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{SwarmSlot.ApplicationLabel}={name}"] = true } } });
        Assert.Empty(services);
    }

    [Fact]
    public async Task Rad_status_follow_ends_with_the_deployment_after_RabbitMQ_restarts_under_it()
    {
        var name = $"follow-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var id = await rad.DeployAsync(await rad.PublishRepoAsync(name,
            Repos.WebApp(name, port, extraDockerLines: $"RUN sleep 8 && echo {Guid.NewGuid()} > /built", registry: rad.Registry)));
        var cli = Path.Combine(Stack.FindRoot(), "tools", "Rad.Cli", "bin", "Release", "net10.0", "rad.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[cli, "status", id.ToString(), "--follow"])
            start.ArgumentList.Add(argument);
        start.Environment["RAD_API"] = rad.Api.ToString().TrimEnd('/');
        start.Environment.Remove("RAD_API_TOKEN");
        using var follower = Process.Start(start)!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        follower.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        follower.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue("stderr: " + e.Data); };
        follower.BeginOutputReadLine();
        follower.BeginErrorReadLine();
        try
        {
            await WaitForBuildAsync(id, name);
            var restart = Stopwatch.StartNew();
            await rad.Rabbit.RestartAsync();
            output.WriteLine($"RabbitMQ restarted in {restart.Elapsed.TotalSeconds:0.0} s");

            var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
            var ended = Stopwatch.StartNew();
            var exited = await Task.WhenAny(follower.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(20))) is Task t && follower.HasExited;
            output.WriteLine($"deployment {deployment.State}; the follower {(exited ? $"exited {follower.ExitCode} {ended.Elapsed.TotalSeconds:0.0} s after" : "was still following 20 s after")}:\n{string.Join('\n', lines)}");

            Assert.Equal("Succeeded", deployment.State);
            Assert.True(exited, "rad status --follow did not end within 20 s of the deployment's end");
            Assert.Equal(0, follower.ExitCode);
            Assert.Contains(lines, l => l.Contains($"deployment {id} succeeded", StringComparison.Ordinal));
        }
        finally
        {
            if (!follower.HasExited)
                follower.Kill();
        }
    }

    async Task WaitForBuildAsync(Guid id, string name)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var deployment = await rad.GetAsync(id);
            var build = deployment.Stages.SingleOrDefault(s => s.Name == StageNames.Build(name));
            Assert.True(build?.State is null or StageStates.InProgress, $"the build is no longer running: {string.Join("; ", deployment.Stages.Select(s => $"{s.Name} {s.State}"))}");
            if (build is not null)
                return;
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "the build did not start within 60 s");
            await Task.Delay(100);
        }
    }

    public void Dispose() => _docker.Dispose();
}
