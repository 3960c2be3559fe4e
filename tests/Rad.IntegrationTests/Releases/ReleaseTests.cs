using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rad.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Releases;

/// <summary>
/// Rollout strategies on the local Swarm under steady traffic (25 requests per second to the port): the health gate,
/// zero lost requests, a failing version never served, a canary judged by the edge's counters, blue-green switches.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class ReleaseTests(Stack stack, ITestOutputHelper output) : IAsyncLifetime
{
    RolloutObserver _observer = null!;

    public async Task InitializeAsync() => _observer = await RolloutObserver.StartAsync();

    public async Task DisposeAsync() => await _observer.DisposeAsync();

    [Fact]
    public async Task Rolling_update_of_two_replicas_under_load_loses_no_request()
    {
        var name = Stack.UniqueName("rolling");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, ReleaseRepos.App(name, port, "version one", rollout: ReleaseRepos.Health));
        await DeploySucceedsAsync(repository);

        // The new version listens only after 2 s: without the health gate, the edge would send requests to it too early.
        await stack.AddCommitAsync(name, ReleaseRepos.App(name, port, "version two", startDelaySeconds: 2, rollout: ReleaseRepos.Health));
        await using var load = TrafficLoad.Start(port);
        await Task.Delay(1000);
        var watch = Stopwatch.StartNew();
        var id = await stack.DeployAsync(repository);
        var deployment = await stack.WaitForEndAsync(id);
        var took = watch.Elapsed;
        await Task.Delay(1000);
        var outcomes = await load.StopAsync();

        output.WriteLine($"rolling update of 2 replicas: {TrafficLoad.Summary(outcomes)}; deployment took {took.TotalSeconds:0.0} s\n{_observer.Describe(id)}");
        Assert.Equal("Succeeded", deployment.State);
        Assert.True(outcomes.Count >= 20 * took.TotalSeconds, $"only {outcomes.Count} requests in {took.TotalSeconds:0.0} s");
        Assert.DoesNotContain(outcomes, o => o.Failed);
        Assert.Contains(outcomes, o => o.Body == "version one");
        Assert.Equal("version two", outcomes[^1].Body);
        // Once the new version answered, the old one never did again: the switch is at once.
        var firstNew = outcomes.First(o => o.Body == "version two").At;
        Assert.DoesNotContain(outcomes, o => o.At > firstNew + TimeSpan.FromMilliseconds(500) && o.Body == "version one");
        Assert.Equal(["validate", "switch", "drain"], StepsCompleted(id));
        // The new version went into the second slot; the first, drained, was removed.
        Assert.Equal([$"{name}_b"], await ServicesAsync(name));
    }

    [Fact]
    public async Task Blue_green_whose_new_version_fails_its_health_check_fails_naming_it_while_the_old_version_serves_every_request()
    {
        var name = Stack.UniqueName("bgfail");
        var port = Stack.FreePort();
        var rollout = $"\"strategy\": \"blue-green\", \"keep_previous\": \"5m\", {ReleaseRepos.Health}";
        var repository = await stack.PublishRepoAsync(name, ReleaseRepos.App(name, port, "version one", rollout: rollout));
        await DeploySucceedsAsync(repository);

        await stack.AddCommitAsync(name, ReleaseRepos.App(name, port, "version two", healthStatus: 503, rollout: rollout));
        await using var load = TrafficLoad.Start(port);
        var id = await stack.DeployAsync(repository);
        var deployment = await stack.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        await Task.Delay(1000);
        var outcomes = await load.StopAsync();

        output.WriteLine($"failing blue-green: {TrafficLoad.Summary(outcomes)}; error: {deployment.Error}\n{_observer.Describe(id)}");
        Assert.Equal("Failed", deployment.State);
        Assert.Matches(new Regex($@"validate\[{name}\]: GET /cgi-bin/healthz expected 2xx, saw status 503 on [0-9]+\.[0-9.]+:{port} \((\d+) of \1 checks failed within \d+s\)"),
            deployment.Error);
        Assert.NotEmpty(outcomes);
        Assert.All(outcomes, o => Assert.Equal((200, "version one"), (o.Status ?? 0, o.Body ?? o.Error)));
        Assert.False(_observer.Failure(id)!.Changed);
        Assert.Equal([name], await ServicesAsync(name));
        Assert.Equal("100", (await LabelsAsync(name))["rad.traffic"]);
    }

    [Fact]
    public async Task Canary_answering_errors_is_removed_at_the_first_step_with_the_measured_error_rate()
    {
        var name = Stack.UniqueName("canary");
        var port = Stack.FreePort();
        var rollout = "\"strategy\": \"canary\", \"canary\": { \"steps\": [10, 50, 100], \"pause\": \"4s\", \"max_error_rate\": 0.01 }";
        var repository = await stack.PublishRepoAsync(name, ReleaseRepos.App(name, port, "version one", rollout: rollout));
        await DeploySucceedsAsync(repository);

        await stack.AddCommitAsync(name, ReleaseRepos.App(name, port, "version two is broken", status: 500, rollout: rollout));
        await using var load = TrafficLoad.Start(port);
        var id = await stack.DeployAsync(repository);
        var deployment = await stack.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        var ended = load.Now;
        await Task.Delay(2000);
        var outcomes = await load.StopAsync();

        output.WriteLine($"canary: {TrafficLoad.Summary(outcomes)}; error: {deployment.Error}\n{_observer.Describe(id)}");
        Assert.Equal("Failed", deployment.State);
        var measured = Regex.Match(deployment.Error!, $@"canary\[{name}\] at 10%: error rate ([0-9.]+) \((\d+) of (\d+) requests\) over [0-9.]+ s exceeds 0\.01");
        Assert.True(measured.Success, deployment.Error);
        Assert.True(double.Parse(measured.Groups[1].Value, CultureInfo.InvariantCulture) > 0.01);
        Assert.True(int.Parse(measured.Groups[2].Value, CultureInfo.InvariantCulture) > 0);
        var steps = _observer.Steps(id);
        var shifted = steps.First(s => s.Message.Step == "shift traffic 10%" && s.Message.State == StageStates.InProgress).At;
        var failed = steps.First(s => s.Message.Step == "shift traffic 10%" && s.Message.State == StageStates.Failed).At;
        output.WriteLine($"canary detected {(failed - shifted).TotalSeconds:0.0} s after the shift to 10% began");
        Assert.DoesNotContain(steps, s => s.Message.Step == "shift traffic 50%");
        // While 10% went to the canary some requests failed; the old version took them all before and after.
        var broken = outcomes.Where(o => o.Status == 500).ToList();
        Assert.NotEmpty(broken);
        Assert.True(broken.Count < outcomes.Count / 4, TrafficLoad.Summary(outcomes));
        Assert.All(outcomes.Where(o => o.At > ended), o => Assert.Equal((200, "version one"), (o.Status ?? 0, o.Body ?? o.Error)));
        Assert.DoesNotContain(outcomes, o => o.Error is not null);
        Assert.Equal([name], await ServicesAsync(name));
    }

    [Fact]
    public async Task Blue_green_switches_at_once_and_the_sweeper_removes_the_previous_set_after_keep_previous()
    {
        var name = Stack.UniqueName("bg");
        var port = Stack.FreePort();
        var rollout = $"\"strategy\": \"blue-green\", \"keep_previous\": \"5s\", {ReleaseRepos.Health}";
        var repository = await stack.PublishRepoAsync(name, ReleaseRepos.App(name, port, "version one", rollout: rollout));
        await DeploySucceedsAsync(repository);

        await stack.AddCommitAsync(name, ReleaseRepos.App(name, port, "version two", rollout: rollout));
        await using var load = TrafficLoad.Start(port);
        var id = await stack.DeployAsync(repository);
        var deployment = await stack.WaitForEndAsync(id);
        var keptAt = Stopwatch.StartNew();
        var services = await ServicesAsync(name);
        var previous = await LabelsAsync(name);
        var running = await _observer.RunningAsync(name);
        await Task.Delay(1000);
        var outcomes = await load.StopAsync();

        var switched = _observer.Steps(id).Single(s => s.Message.Step == "switch" && s.Message.State == StageStates.Completed).Message.Message!;
        output.WriteLine($"blue-green: {TrafficLoad.Summary(outcomes)}; switch: {switched}\n{_observer.Describe(id)}");
        Assert.Equal("Succeeded", deployment.State);
        Assert.Matches(@"^the edge routes only the new tasks after \d+ ms$", switched);
        Assert.DoesNotContain(outcomes, o => o.Failed);
        Assert.Equal("version two", outcomes[^1].Body);
        var firstNew = outcomes.First(o => o.Body == "version two").At;
        Assert.DoesNotContain(outcomes, o => o.At > firstNew + TimeSpan.FromMilliseconds(500) && o.Body == "version one");
        Assert.Equal([name, $"{name}_b"], services);
        Assert.Equal("0", previous["rad.traffic"]);
        Assert.True(DateTimeOffset.Parse(previous["rad.retire-after"], CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
        Assert.Equal((2, 2), (running!.Desired, running.Running));
        Assert.Equal(deployment.Applications.Single().Image, running.Image);

        while (keptAt.Elapsed < TimeSpan.FromSeconds(30) && (await ServicesAsync(name)).Count > 1)
            await Task.Delay(250);
        output.WriteLine($"previous set removed {keptAt.Elapsed.TotalSeconds:0.0} s after the deployment ended (keep_previous 5s)");
        Assert.Equal([$"{name}_b"], await ServicesAsync(name));
        Assert.True(keptAt.Elapsed > TimeSpan.FromSeconds(3), $"removed after {keptAt.Elapsed.TotalSeconds:0.0} s, before keep_previous passed");
        Assert.Equal("version two", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Deploying_the_previous_version_again_within_keep_previous_is_only_a_switch()
    {
        var name = Stack.UniqueName("bgback");
        var port = Stack.FreePort();
        var rollout = $"\"strategy\": \"blue-green\", \"keep_previous\": \"5m\", {ReleaseRepos.Health}";
        var repository = await stack.PublishRepoAsync(name, ReleaseRepos.App(name, port, "version one", rollout: rollout));
        var first = await DeploySucceedsAsync(repository);
        var firstCommit = first.Commit!;
        await stack.AddCommitAsync(name, ReleaseRepos.App(name, port, "version two", rollout: rollout));
        await DeploySucceedsAsync(repository);
        var kept = await ContainersAsync(name);

        await using var load = TrafficLoad.Start(port);
        var watch = Stopwatch.StartNew();
        var id = await stack.DeployAsync(repository, firstCommit);
        var deployment = await stack.WaitForEndAsync(id);
        var took = watch.Elapsed;
        await Task.Delay(1000);
        var outcomes = await load.StopAsync();

        var deployStage = deployment.Stages.Single(s => s.Name == $"deploy application[{name}]");
        var firstOld = outcomes.FirstOrDefault(o => o.Body == "version one")?.At;
        output.WriteLine($"back to the previous version: deployment {took.TotalSeconds:0.0} s, deploy stage {(deployStage.CompletedAt!.Value - deployStage.StartedAt).TotalMilliseconds:0} ms, " +
                         $"first answer of the previous version {firstOld?.TotalSeconds:0.0} s after the request; {TrafficLoad.Summary(outcomes)}\n{_observer.Describe(id)}");
        Assert.Equal("Succeeded", deployment.State);
        Assert.Equal(first.Applications.Single().Image, deployment.Applications.Single().Image);
        Assert.Contains(_observer.Steps(id), s => s.Message is { Step: "validate", State: StageStates.InProgress } && s.Message.Message!.Contains("still run this version"));
        Assert.Equal("version one", outcomes[^1].Body);
        Assert.DoesNotContain(outcomes, o => o.Failed);
        // No task was started: the containers of both sets are the ones that ran before.
        Assert.Equal(kept, await ContainersAsync(name));

        // The version just left is kept in turn, and removing the application removes both sets.
        await _observer.PublishAsync(new RemoveApplication(Guid.NewGuid(), "local", "rad", null, name));
        var removal = Stopwatch.StartNew();
        while (removal.Elapsed < TimeSpan.FromSeconds(30) && (await ServicesAsync(name)).Count > 0)
            await Task.Delay(250);
        Assert.Empty(await ServicesAsync(name));
    }

    [Fact]
    public async Task Recreate_stops_the_old_set_before_starting_the_new_one_and_a_failure_then_reports_the_change()
    {
        var name = Stack.UniqueName("recreate");
        var port = Stack.FreePort();
        var rollout = $"\"strategy\": \"recreate\", {ReleaseRepos.Health}";
        var repository = await stack.PublishRepoAsync(name, ReleaseRepos.App(name, port, "version one", rollout: rollout));
        await DeploySucceedsAsync(repository);
        var old = await ContainersAsync(name);

        await stack.AddCommitAsync(name, ReleaseRepos.App(name, port, "version two", rollout: rollout));
        await using var load = TrafficLoad.Start(port);
        var id = await stack.DeployAsync(repository);
        var deployment = await stack.WaitForEndAsync(id);
        await Task.Delay(1000);
        var outcomes = await load.StopAsync();

        var lastOld = outcomes.Last(o => o.Body == "version one").At;
        var firstNew = outcomes.First(o => o.Body == "version two").At;
        output.WriteLine($"recreate: {TrafficLoad.Summary(outcomes)}; no answer for {(firstNew - lastOld).TotalSeconds:0.0} s\n{_observer.Describe(id)}");
        Assert.Equal("Succeeded", deployment.State);
        Assert.Equal(["stop previous", "validate", "switch", "drain"], StepsCompleted(id));
        Assert.True(lastOld < firstNew);
        Assert.Equal([$"{name}_b"], await ServicesAsync(name));
        Assert.DoesNotContain(await ContainersAsync(name), old.Contains);

        await stack.AddCommitAsync(name, ReleaseRepos.App(name, port, "version three", healthStatus: 503, rollout: rollout));
        var failing = await stack.DeployAsync(repository);
        var failed = await stack.WaitForEndAsync(failing, TimeSpan.FromMinutes(3));

        output.WriteLine($"failing recreate: {failed.Error}\n{_observer.Describe(failing)}");
        Assert.Equal("Failed", failed.State);
        Assert.Contains($"validate[{name}]: GET /cgi-bin/healthz expected 2xx, saw status 503", failed.Error);
        // The old set was stopped before the new one failed: what served had changed, so the release restores it.
        Assert.True(_observer.Failure(failing)!.Changed);
        Assert.EndsWith($"{name} restored to revision 2", failed.Error);
        Assert.Single(await ServicesAsync(name));
        Assert.Equal("version two", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    async Task<DeploymentView> DeploySucceedsAsync(string repository)
    {
        var id = await stack.DeployAsync(repository);
        var deployment = await stack.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(deployment.State == "Succeeded", $"{deployment.State}: {deployment.Error}\n{_observer.Describe(id)}");
        return deployment;
    }

    List<string> StepsCompleted(Guid id) =>
        _observer.Steps(id).Where(s => s.Message.State == StageStates.Completed).Select(s => s.Message.Step).ToList();

    static async Task<List<string>> ServicesAsync(string application) =>
        (await Stack.RunAsync("docker", "service", "ls", "--filter", $"label=rad.application={application}", "--format", "{{.Name}}"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();

    static async Task<Dictionary<string, string>> LabelsAsync(string service) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(await Stack.RunAsync("docker", "service", "inspect", service, "--format", "{{json .Spec.Labels}}"))!;

    static async Task<List<string>> ContainersAsync(string application) =>
        (await Stack.RunAsync("docker", "ps", "-q", "--no-trunc", "--filter", $"label=rad.application={application}"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
}
