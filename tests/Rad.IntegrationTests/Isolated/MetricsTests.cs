using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rad.Contracts;
using Rad.Status.Monitoring;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// Every RAD service of a RAD of the test's own answers /metrics in Prometheus' text format, without the API token and
/// without any secret; a real Prometheus scrapes them all every second, loads the shipped alert rules, answers the
/// shipped dashboard's queries, and sees the deployment counters and stage histograms move after a deployment.
/// </summary>
public sealed partial class MetricsTests(MetricsRad fixture, ITestOutputHelper output) : IClassFixture<MetricsRad>
{
    static readonly string Root = Stack.FindRoot();
    static readonly string[] RuntimeMetrics = ["process_cpu_seconds_total", "process_working_set_bytes", "process_start_time_seconds",
        "dotnet_collection_count_total", "system_runtime_dotnet_gc_collections", "system_runtime_dotnet_thread_pool_thread_count"];

    static readonly string[] StatusMetrics = ["rad_deployments_total", "rad_deployment_duration_seconds", "rad_stage_duration_seconds",
        "rad_stages_total", "rad_deployments_in_progress", "rad_queue_waiting", "rad_status_database_up"];

    IsolatedRad Rad => fixture.Rad;

    [Fact]
    public async Task Every_service_answers_metrics_in_prometheus_text_format_without_the_token_and_without_secrets()
    {
        using var anonymous = new HttpClient();
        using (var refused = await anonymous.GetAsync(new Uri(Rad.Api, "/api/deployments")))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode); // the token is required where it should be

        foreach (var (service, port) in fixture.ServicePorts)
        {
            using var response = await anonymous.GetAsync($"http://127.0.0.1:{port}/metrics");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{service}: /metrics answered {(int)response.StatusCode}");
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            var text = await response.Content.ReadAsStringAsync();
            var names = MetricNames(text);
            foreach (var name in RuntimeMetrics)
                Assert.True(names.Contains(name), $"{service} does not export {name}");
            foreach (var secret in fixture.Secrets)
                Assert.DoesNotContain(secret, text);
            // Promtool parses the exposition format as Prometheus does (and lints names and types).
            var (code, lint) = await RunAsync("promtool", ["check", "metrics"], text);
            output.WriteLine($"{service}: {names.Count} metric families, promtool check metrics exit {code}{(lint.Length > 0 ? ":\n" + lint : "")}");
            Assert.DoesNotContain("error while linting", lint);
            Assert.DoesNotContain("parsing error", lint);
            // RAD's own names follow the conventions; the runtime's and libraries' are theirs (e.g. *_count gauges).
            Assert.DoesNotContain(lint.Split('\n'), line => line.StartsWith("rad_", StringComparison.Ordinal));
        }

        var status = await anonymous.GetStringAsync($"http://127.0.0.1:{fixture.ServicePorts["status"]}/metrics");
        foreach (var name in StatusMetrics)
            Assert.Contains($"# TYPE {name} ", status);
        Assert.Contains("rad_deployments_total{state=\"Succeeded\"}", status);
        Assert.Contains("rad_stage_duration_seconds_bucket{stage=\"build\",le=\"300\"}", status);
        Assert.Contains("rad_status_database_up 1", status);
        var edge = await anonymous.GetStringAsync($"http://127.0.0.1:{fixture.ServicePorts["edge"]}/metrics");
        Assert.Contains("rad_edge_haproxy_up 1", edge);
        Assert.Contains("# TYPE rad_edge_backends gauge", edge);
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_every_service_and_sees_the_counters_and_histograms_move_after_a_deployment()
    {
        await using var prometheus = await OwnedPrometheus.StartAsync(fixture.ServicePorts, [Path.Combine(Root, "deploy", "prometheus", "rad-rules.yml")]);
        await EventuallyAsync("every RAD service is up in Prometheus", prometheus, async () =>
        {
            var up = await prometheus.QueryAsync("up{job=\"rad\"}");
            output.WriteLine($"up: {string.Join(", ", up.Select(s => $"{s.Labels["service"]}={s.Value}"))}");
            return up.Count == fixture.ServicePorts.Count && up.All(s => s.Value == 1);
        });

        // Counted as the increase from before the deployment: the class's other tests deploy too, in no fixed order.
        string[] countedOnce =
        [
            "sum(rad_deployments_total{state=\"Succeeded\"})", "sum(rad_deployment_duration_seconds_count)",
            .. ((string[])["clone", "cluster", "build", "deploy", "validate", "switch"]).Select(stage => $"sum(rad_stage_duration_seconds_count{{stage=\"{stage}\"}})"),
            "sum(rad_cloner_clones_total{result=\"fetched\"})", "sum(rad_cloner_clone_duration_seconds_count{source=\"fetched\"})",
            "sum(rad_builder_builds_total{result=\"built\"})", "sum(rad_builder_build_duration_seconds_count)",
        ];
        string[] unchanged = ["sum(rad_deployments_total{state=\"Failed\"})", "sum(rad_deployments_total{state=\"Superseded\"})"];
        var before = new Dictionary<string, double>();
        foreach (var query in countedOnce.Concat(unchanged).Append("sum(rad_deployment_duration_seconds_sum)").Append("sum(rad_stage_duration_seconds_sum{stage=\"build\"})"))
            before[query] = await prometheus.ValueAsync(query) ?? throw new InvalidOperationException($"{query}: no series before the deployment");

        var name = $"tc-metrics-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        Rad.RemoveAtEnd(name);
        var repository = await Rad.PublishRepoAsync(name, Repos.WebApp(name, port, registry: Rad.Registry));
        var id = await Rad.DeployAsync(repository);
        var deployment = await Rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(deployment.State == DeploymentStates.Succeeded, $"deployment ended {deployment.State}: {deployment.Error}\n{fixture.Tails()}");
        output.WriteLine($"deployment {id} of {name} succeeded; before: {string.Join(", ", before.Select(b => $"{b.Key}={b.Value}"))}");

        async Task<double> IncreaseAsync(string query) => (await prometheus.ValueAsync(query) ?? 0) - before[query];
        await EventuallyAsync("rad_deployments_total{state=\"Succeeded\"} went up by one", prometheus,
            async () => await IncreaseAsync(countedOnce[0]) == 1);
        // Every stage kind this deployment ran (the default rolling strategy: validate and switch), the deployment, the
        // clone and the build: each observed once.
        foreach (var query in countedOnce)
        {
            var increase = await IncreaseAsync(query);
            Assert.True(increase == 1, $"{query} went up by {increase}, not 1");
        }
        foreach (var query in unchanged)
            Assert.Equal(0, await IncreaseAsync(query));
        var duration = await IncreaseAsync("sum(rad_deployment_duration_seconds_sum)");
        var build = await IncreaseAsync("sum(rad_stage_duration_seconds_sum{stage=\"build\"})");
        output.WriteLine($"deployment {duration:0.00} s, build {build:0.00} s");
        Assert.InRange(build, 0.001, duration);
        Assert.Equal(0, await prometheus.ValueAsync("max(rad_deployments_in_progress)"));
        Assert.Equal(0, await prometheus.ValueAsync("max(rad_queue_waiting)"));
        await EventuallyAsync($"the edge shows {name}'s one replica up", prometheus,
            async () => await prometheus.ValueAsync($"rad_edge_backends{{application=\"{name}\",state=\"up\"}}") == 1);

        var status = await Rad.Http.GetStringAsync($"http://127.0.0.1:{fixture.ServicePorts["status"]}/metrics");
        output.WriteLine(string.Join('\n', status.Split('\n').Where(l => l.StartsWith("rad_", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal))));

        // MassTransit's own meters: every worker consumed its command.
        var consumed = (await prometheus.QueryAsync("sum by (service) (masstransit_messaging_masstransit_consume)"))
            .ToDictionary(s => s.Labels["service"], s => s.Value);
        output.WriteLine($"consumed: {string.Join(", ", consumed.Select(c => $"{c.Key}={c.Value}"))}");
        foreach (var service in (string[])["status", "cloner", "builder", "cluster-provisioner", "deployer"])
            Assert.True(consumed.GetValueOrDefault(service) >= 1, $"{service} consumed nothing according to masstransit_messaging_masstransit_consume");
        Assert.True(await prometheus.ValueAsync("sum(masstransit_messaging_masstransit_saga{service=\"status\"})") >= 1);

        await AssertRulesLoadedAndHealthyAsync(prometheus);
        await AssertDashboardQueriesAnsweredAsync(prometheus);
    }

    /// <summary>
    /// The build's result reaches the saga while PostgreSQL is down, so that saga step fails and is retried until the
    /// database is back: still every stage and the deployment count once, and /metrics answers during the outage. A
    /// second deployment of the same repository waits meanwhile: the gauges show one running and one waiting.
    /// </summary>
    [Fact]
    public async Task A_saga_step_retried_through_a_database_outage_is_counted_once_and_metrics_answer_meanwhile()
    {
        var metrics = $"http://127.0.0.1:{fixture.ServicePorts["status"]}/metrics";
        var before = Samples(await Rad.Http.GetStringAsync(metrics));
        var name = $"tc-metrics-pg-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        Rad.RemoveAtEnd(name);
        var repository = await Rad.PublishRepoAsync(name,
            Repos.WebApp(name, port, extraDockerLines: $"RUN sleep 10 && echo {Guid.NewGuid()} > /built", registry: Rad.Registry));
        var posted = new[] { await Rad.DeployAsync(repository), await Rad.DeployAsync(repository) };

        // Two requests posted milliseconds apart enter the repository's queue in the order their sagas get there: the one
        // whose build starts runs, the other waits.
        var watch = Stopwatch.StartNew();
        Guid id;
        while (true)
        {
            var building = new List<Guid>();
            foreach (var candidate in posted)
                if ((await Rad.GetAsync(candidate)).Stages.SingleOrDefault(s => s.Name == StageNames.Build(name))?.State == StageStates.InProgress)
                    building.Add(candidate);
            if (building.Count > 0)
            {
                id = Assert.Single(building);
                break;
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"no build started within 60 s\n{fixture.Tails()}");
            await Task.Delay(100);
        }
        var second = posted.Single(p => p != id);
        watch.Restart();
        while (Samples(await Rad.Http.GetStringAsync(metrics)) is var now
               && (now["rad_deployments_in_progress"] != 1 || now["rad_queue_waiting"] != 1))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5),
                $"the gauges did not show 1 running and 1 waiting: in progress {now["rad_deployments_in_progress"]}, waiting {now["rad_queue_waiting"]}");
            await Task.Delay(200);
        }
        Assert.Equal(StageStates.InProgress, (await Rad.GetAsync(id)).Stages.Single(s => s.Name == StageNames.Build(name)).State);
        await Rad.Postgres.StopAsync();
        try
        {
            watch.Restart();
            while (!Rad.ProcessLog("builder").Contains($"Built {Rad.Registry}/{name}:", StringComparison.Ordinal))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the build did not finish within 60 s of the database stopping\n{fixture.Tails()}");
                await Task.Delay(200);
            }
            // Past the saga's quick retries: its step with the build's result has failed and waits for the database.
            await Task.Delay(TimeSpan.FromSeconds(5));
            using var during = await Rad.Http.GetAsync(metrics);
            var text = await during.Content.ReadAsStringAsync();
            Assert.True(during.StatusCode == HttpStatusCode.OK, $"/metrics answered {(int)during.StatusCode} while PostgreSQL was down");
            Assert.Contains("rad_status_database_up 0", text);
            Assert.Contains("# TYPE rad_deployments_total counter", text);
        }
        finally
        {
            await Rad.Postgres.StartAsync();
        }
        var back = DateTimeOffset.UtcNow;

        var deployment = await Rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(deployment.State == DeploymentStates.Succeeded, $"deployment ended {deployment.State}: {deployment.Error}\n{fixture.Tails()}");
        // The build's result was committed only after the database came back: the attempts during the outage failed.
        var build = deployment.Stages.Single(s => s.Name == StageNames.Build(name));
        Assert.True(build.CompletedAt > back.AddSeconds(-1), $"the build stage completed at {build.CompletedAt:O}, before the database was back at {back:O}");
        var waited = await Rad.WaitForEndAsync(second, TimeSpan.FromMinutes(2));
        Assert.True(waited.State == DeploymentStates.Succeeded, $"the second deployment ended {waited.State}: {waited.Error}\n{fixture.Tails()}");

        // Each stage the two deployments record as ended, by kind, is one observation; each deployment one count.
        var after = Samples(await Rad.Http.GetStringAsync(metrics));
        double Delta(string sample) => after.GetValueOrDefault(sample) - before.GetValueOrDefault(sample);
        Assert.Equal(2, Delta("rad_deployments_total{state=\"Succeeded\"}"));
        Assert.Equal(0, Delta("rad_deployments_total{state=\"Failed\"}"));
        Assert.Equal(2, Delta("rad_deployment_duration_seconds_count"));
        var recorded = deployment.Stages.Concat(waited.Stages).Where(s => s.State is StageStates.Completed or StageStates.Failed)
            .GroupBy(s => StageKind.Of(s.Name)).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"stages recorded by the API: {string.Join(", ", recorded.Select(r => $"{r.Key}={r.Value}"))}");
        Assert.Equal(1, recorded.GetValueOrDefault("queue"));
        foreach (var kind in StageKind.All)
            Assert.True(Delta($"rad_stage_duration_seconds_count{{stage=\"{kind}\"}}") == recorded.GetValueOrDefault(kind),
                $"stage kind {kind}: {Delta($"rad_stage_duration_seconds_count{{stage=\"{kind}\"}}")} observations, {recorded.GetValueOrDefault(kind)} ended stages");
        // A pooled connection that the restart closed fails once when used: the gauges may need a second scrape.
        for (var scrape = 0; scrape < 3 && after["rad_status_database_up"] != 1; scrape++)
            after = Samples(await Rad.Http.GetStringAsync(metrics));
        Assert.Equal(1, after["rad_status_database_up"]);
        Assert.Equal(0, after["rad_deployments_in_progress"]);
        Assert.Equal(0, after["rad_queue_waiting"]);
    }

    [Fact]
    public async Task Promtool_accepts_the_shipped_rules_and_configuration_and_the_rules_fire_on_their_unit_test_data()
    {
        var folder = Path.Combine(Root, "deploy", "prometheus");
        var rules = Directory.GetFiles(folder, "*rules*.yml").Where(f => !f.EndsWith(".test.yml", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rules);
        foreach (var (arguments, what) in ((string[], string)[])[
                     (["check", "rules", .. rules], "rules"),
                     (["check", "config", Path.Combine(folder, "prometheus.yml")], "config"),
                     (["test", "rules", Path.Combine(folder, "rad-rules.test.yml")], "rule unit tests")])
        {
            var (code, text) = await RunAsync("promtool", arguments, null, folder);
            output.WriteLine($"promtool {string.Join(' ', arguments)}: exit {code}\n{text}");
            Assert.True(code == 0, $"promtool {what} failed (exit {code}):\n{text}");
        }
    }

    async Task AssertRulesLoadedAndHealthyAsync(OwnedPrometheus prometheus)
    {
        await EventuallyAsync("every shipped rule was evaluated without error", prometheus, async () =>
        {
            var groups = (await prometheus.ApiAsync("/api/v1/rules")).GetProperty("groups").EnumerateArray().ToList();
            var rules = groups.SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
            output.WriteLine($"rules: {string.Join(", ", rules.Select(r => $"{r.GetProperty("name").GetString()} {r.GetProperty("health").GetString()}"))}");
            Assert.Contains(rules, r => r.GetProperty("name").GetString() == "RadDeploymentFailureRateHigh");
            Assert.Contains(rules, r => r.GetProperty("name").GetString() == "RadStageSlow");
            Assert.Contains(rules, r => r.GetProperty("name").GetString() == "RadServiceDown");
            Assert.DoesNotContain(rules, r => r.GetProperty("health").GetString() == "err");
            return rules.All(r => r.GetProperty("health").GetString() == "ok");
        });
        // Nothing is wrong with this RAD, so nothing fires (pending included). RadEdgeBackendsDown is left out: this RAD's
        // edge also routes whatever else runs on the shared Docker engine, whose health is not this test's.
        var alerts = (await prometheus.ApiAsync("/api/v1/alerts")).GetProperty("alerts").EnumerateArray()
            .Select(a => $"{a.GetProperty("labels").GetProperty("alertname").GetString()} {a.GetProperty("state").GetString()} {a.GetProperty("labels")}")
            .ToList();
        output.WriteLine($"alerts: {string.Join("; ", alerts)}");
        Assert.DoesNotContain(alerts, a => !a.StartsWith("RadEdgeBackendsDown ", StringComparison.Ordinal));
    }

    /// <summary>Every query of the shipped Grafana dashboard is valid PromQL that Prometheus answers.</summary>
    async Task AssertDashboardQueriesAnsweredAsync(OwnedPrometheus prometheus)
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "grafana", "rad-dashboard.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString(), Expr: t.GetProperty("expr").GetString()!)))
            .ToList();
        Assert.True(queries.Count >= 10, $"the dashboard has only {queries.Count} queries");
        var answered = 0;
        foreach (var (panel, expr) in queries)
        {
            var series = await prometheus.QueryAsync(expr.Replace("$__range", "5m", StringComparison.Ordinal));
            answered += series.Count > 0 ? 1 : 0;
            output.WriteLine($"{panel}: {series.Count} series");
        }
        // Consume failures (none happened) and the failure ratio of a run without failures may be empty; the rest are not.
        Assert.True(answered >= queries.Count - 3, $"only {answered} of {queries.Count} dashboard queries had data");
    }

    async Task EventuallyAsync(string what, OwnedPrometheus prometheus, Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException($"not within 60 s: {what}\n{prometheus.Log}\n{fixture.Tails()}");
            await Task.Delay(500);
        }
    }

    /// <summary>Each sample line ("name{labels} value") by its name and labels.</summary>
    static Dictionary<string, double> Samples(string text) => text.Split('\n')
        .Where(line => line.Length > 0 && line[0] != '#')
        .Select(line => (Key: line[..line.LastIndexOf(' ')], Value: line[(line.LastIndexOf(' ') + 1)..]))
        .ToDictionary(s => s.Key, s => double.Parse(s.Value, System.Globalization.CultureInfo.InvariantCulture));

    static HashSet<string> MetricNames(string text) =>
        TypeLine().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments, string? input, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Root,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
