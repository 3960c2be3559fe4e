using System.Diagnostics;
using Rad.Contracts;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// A deployment survives its broker or its database restarting under it: it still ends Succeeded, every stage ran once
/// (one IN PROGRESS and one COMPLETED line each in the status log) and the application answers through the edge.
/// </summary>
public sealed class BrokerAndDatabaseRestartTests(IsolatedRad rad, ITestOutputHelper output) : IClassFixture<IsolatedRad>
{
    // Long enough that the restart (7-14 s for RabbitMQ, 1-2 s for PostgreSQL here) lands inside the build.
    const int BuildSeconds = 8;

    // How long PostgreSQL stays down after the build has finished and its result waits at the saga: far past the saga's
    // quick retries (2 s), within its outage retries (10 min, shared/Rad.Hosting/OutageRetry.cs).
    const int OutageAfterBuildSeconds = 15;

    [Fact]
    public async Task RabbitMQ_restarted_while_a_deployment_builds_and_the_deployment_still_succeeds_running_each_stage_once()
    {
        var (name, port, id) = await StartDeploymentAsync("tc-rmq");
        await WaitUntilOnlyTheBuildRunsAsync(id, name);
        await Task.Delay(1000); // into the build's sleep

        var restart = Stopwatch.StartNew();
        await rad.Rabbit.RestartAsync();
        output.WriteLine($"RabbitMQ restarted in {restart.Elapsed.TotalSeconds:0.0} s");

        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        await AssertSucceededRunningEachStageOnceAsync(deployment, name, port);
    }

    [Fact]
    public async Task PostgreSQL_restarted_while_the_saga_waits_between_stages_and_the_deployment_still_succeeds_running_each_stage_once()
    {
        var (name, port, id) = await StartDeploymentAsync("tc-pg");
        await WaitUntilOnlyTheBuildRunsAsync(id, name);

        var restart = Stopwatch.StartNew();
        await rad.Postgres.RestartAsync();
        output.WriteLine($"PostgreSQL restarted in {restart.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"the status API answered {await rad.FailedReadsUntilAnswerAsync(id)} read(s) with an error after the restart");
        await WaitUntilOnlyTheBuildRunsAsync(id, name); // so the saga's next step (the build's result) comes after the restart

        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        await AssertSucceededRunningEachStageOnceAsync(deployment, name, port);
    }

    /// <summary>The build's result arrives while the database is down: the saga holds it until the database is back.</summary>
    [Fact]
    public async Task PostgreSQL_down_when_the_build_finishes_and_the_deployment_still_succeeds_once_it_is_back()
    {
        var (name, port, id) = await StartDeploymentAsync("tc-pgdown");
        await WaitUntilOnlyTheBuildRunsAsync(id, name);

        var outage = Stopwatch.StartNew();
        await rad.Postgres.StopAsync();
        var watch = Stopwatch.StartNew();
        while (!rad.ProcessLog("builder").Contains($"Built {rad.Registry}/{name}:", StringComparison.Ordinal))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the build did not finish within 60 s of the database stopping\n{rad.Tails()}");
            await Task.Delay(200);
        }
        output.WriteLine($"the build finished {outage.Elapsed.TotalSeconds:0.0} s into the outage");
        await Task.Delay(TimeSpan.FromSeconds(OutageAfterBuildSeconds));
        await rad.Postgres.StartAsync();
        output.WriteLine($"PostgreSQL was down {outage.Elapsed.TotalSeconds:0.0} s");

        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(2));
        await AssertSucceededRunningEachStageOnceAsync(deployment, name, port);
    }

    async Task<(string Name, int Port, Guid Id)> StartDeploymentAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var repository = await rad.PublishRepoAsync(name,
            Repos.WebApp(name, port, extraDockerLines: $"RUN sleep {BuildSeconds} && echo {Guid.NewGuid()} > /built", registry: rad.Registry));
        var id = await rad.DeployAsync(repository);
        output.WriteLine($"deployment {id} of {repository}: {name} on port {port}");
        return (name, port, id);
    }

    /// <summary>
    /// Waits (bounded) until the build is the only stage still open, and fails if it has already ended: the restart
    /// must land while the image builds, or the test would prove nothing.
    /// </summary>
    async Task WaitUntilOnlyTheBuildRunsAsync(Guid id, string name)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var deployment = await rad.GetAsync(id);
            var build = deployment.Stages.SingleOrDefault(s => s.Name == StageNames.Build(name));
            var others = deployment.Stages.Where(s => s != build).ToList();
            Assert.True(build?.State is null or StageStates.InProgress && others.All(s => s.State is StageStates.InProgress or StageStates.Completed),
                $"the build is no longer running: {string.Join("; ", deployment.Stages.Select(s => $"{s.Name} {s.State}"))}");
            if (build is not null && others.All(s => s.State == StageStates.Completed))
                return;
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"stages did not reach the build: {string.Join("; ", deployment.Stages.Select(s => $"{s.Name} {s.State}"))}");
            await Task.Delay(100);
        }
    }

    async Task AssertSucceededRunningEachStageOnceAsync(DeploymentView deployment, string name, int port)
    {
        var log = await rad.LogAsync(deployment.Id);
        output.WriteLine(log);
        Assert.True(deployment.State == "Succeeded", $"deployment ended {deployment.State}: {deployment.Error}\n{log}\n{rad.Tails()}");

        // The default rolling strategy reports its two steps as stages of their own.
        string[] expected = [StageNames.Clone, StageNames.Cluster("local"), StageNames.Build(name), StageNames.Deploy(name),
            StageNames.Step("validate", name), StageNames.Step("switch", name)];
        Assert.Equal(expected.Order(), deployment.Stages.Select(s => s.Name).Order());
        Assert.All(deployment.Stages, s => Assert.Equal(StageStates.Completed, s.State));
        var lines = log.Split('\n');
        foreach (var stage in expected)
        {
            Assert.Single(lines, l => l.EndsWith($"]: [IN PROGRESS]: {stage}", StringComparison.Ordinal));
            Assert.Single(lines, l => l.EndsWith($"]: [COMPLETED]: {stage}", StringComparison.Ordinal));
        }
        Assert.Equal($"Hello from {name}", (await rad.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim());

        // A build cut short by the restart may start again on redelivery, but the image is built and pushed once.
        var builder = rad.ProcessLog("builder").Split('\n');
        output.WriteLine($"builder: {builder.Count(l => l.Contains("T-FAULT", StringComparison.Ordinal) && l.Contains("/build-image", StringComparison.Ordinal))} "
                         + $"build command(s) faulted by the connection loss, {builder.Count(l => l.Contains($"{rad.Registry}/{name}:", StringComparison.Ordinal) && l.Contains("already in the registry", StringComparison.Ordinal))} redelivery(ies) finding the image pushed");
        Assert.Single(builder, l => l.Contains($"Built {rad.Registry}/{name}:", StringComparison.Ordinal));
    }
}
