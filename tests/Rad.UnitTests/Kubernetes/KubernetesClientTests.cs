using System.Text.Json.Nodes;
using Rad.Contracts;
using Rad.FakeKubernetes;
using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

public sealed class KubernetesClientTests : IAsyncLifetime
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 2, 30080, 8080);
    const string Commit = "0123456789abcdef0123456789abcdef01234567";
    FakeKubernetesServer _server = null!;
    KubernetesDynamicClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _client = new KubernetesDynamicClient(Kubeconfig.Load(_server.Kubeconfig("shop")));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    async Task ApplyAllAsync(ApplicationSpec application, string image = "registry.test/web@sha256:aaaa")
    {
        foreach (var manifest in Manifests.ForApplication("shop", application, image, Commit, null))
            await _client.ApplyAsync(manifest, CancellationToken.None);
    }

    [Fact]
    public async Task Apply_is_server_side_apply_with_field_manager_rad()
    {
        await ApplyAllAsync(Web);

        var patches = _server.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(
            ["/api/v1/namespaces/shop?fieldManager=rad&force=true", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=rad&force=true",
             "/api/v1/namespaces/shop/services/web?fieldManager=rad&force=true"],
            patches.Select(p => p.Path));
        Assert.All(patches, p => Assert.Equal("application/apply-patch+yaml", p.ContentType?.Split(';')[0]));
        var service = await _client.GetAsync("v1", "Service", "shop", "web", CancellationToken.None);
        Assert.Equal(30080, service!["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>());
        Assert.Null(await _client.GetAsync("apps/v1", "Deployment", "shop", "absent", CancellationToken.None));
    }

    [Fact]
    public async Task Healthy_rollout_completes_when_the_new_generation_is_available()
    {
        await ApplyAllAsync(Web);
        var first = await new RolloutTracker(_client).WaitAsync("shop", "web", TimeSpan.FromSeconds(20), CancellationToken.None);
        await ApplyAllAsync(Web with { Replicas = 3 }, "registry.test/web@sha256:bbbb");

        var second = await new RolloutTracker(_client).WaitAsync("shop", "web", TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal(2, first);
        Assert.Equal(3, second);
        var deployment = await _client.GetAsync("apps/v1", "Deployment", "shop", "web", CancellationToken.None);
        Assert.Equal(2, deployment!["status"]!["observedGeneration"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(Scenario.ImagePullBackOff, "ImagePullBackOff: Back-off pulling image \"registry.test/web@sha256:aaaa\"", "Failed to pull image")]
    [InlineData(Scenario.CrashLoopBackOff, "is in CrashLoopBackOff, restarted 3 times; last termination: Error (exit code 1)", "event BackOff")]
    [InlineData(Scenario.Unschedulable, "cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu.", "event FailedScheduling")]
    [InlineData(Scenario.Stuck, "progress deadline exceeded: ReplicaSet \"web-", "has timed out progressing")]
    public async Task Failed_rollout_names_the_cause_from_pods_events_and_conditions(Scenario scenario, string cause, string detail)
    {
        _server.Scenarios["web"] = scenario;
        await ApplyAllAsync(Web);

        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() =>
            new RolloutTracker(_client).WaitAsync("shop", "web", TimeSpan.FromSeconds(20), CancellationToken.None));

        Assert.Contains(cause, failure.Message);
        Assert.Contains(detail, failure.Message);
    }

    [Fact]
    public async Task Rollout_that_never_completes_fails_at_the_deadline()
    {
        _server.Scenarios["slow"] = Scenario.Stuck;
        await ApplyAllAsync(Web with { Name = "slow" });

        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() =>
            new RolloutTracker(_client).WaitAsync("shop", "slow", TimeSpan.FromMilliseconds(200), CancellationToken.None));

        Assert.StartsWith("deployment shop/slow did not become available within 0.2 s", failure.Message);
    }

    [Fact]
    public async Task Watch_resumes_after_410_gone_from_a_fresh_list()
    {
        await ApplyAllAsync(Web);
        var old = (await _client.ListAsync("apps/v1", "Deployment", "shop", null, null, CancellationToken.None))["metadata"]!["resourceVersion"]!.GetValue<string>();
        await Task.Delay(600);
        _server.Store.Compact();

        var gone = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
        {
            await foreach (var _ in _client.WatchAsync("apps/v1", "Deployment", "shop", null, null, old, CancellationToken.None))
            {
            }
        });
        Assert.Equal(410, gone.Code);
        Assert.Equal("Expired", gone.Reason);
        // The tracker copes: it lists again and completes.
        Assert.Equal(2, await new RolloutTracker(_client).WaitAsync("shop", "web", TimeSpan.FromSeconds(20), CancellationToken.None));
    }

    [Fact]
    public async Task Server_errors_carry_the_servers_reason_and_the_resource()
    {
        await _client.ApplyAsync(Manifests.Namespace("shop"), CancellationToken.None);
        _server.ForbiddenNamespaces["shop"] = true;
        var forbidden = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.ApplyAsync(Manifests.Deployment("shop", Web, "x", Commit, null), CancellationToken.None));
        _server.ForbiddenNamespaces.Clear();
        var invalid = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            _client.ApplyAsync(Manifests.Service("shop", Web with { Port = 70000 }, Commit), CancellationToken.None));
        using var wrongToken = new KubernetesDynamicClient(Kubeconfig.Load(_server.Kubeconfig("shop", token: "expired-token")));
        var unauthorized = await Assert.ThrowsAsync<KubernetesApiException>(() => wrongToken.VersionAsync(CancellationToken.None));
        using var nowhere = new KubernetesDynamicClient(Kubeconfig.Load(_server.Kubeconfig("shop").Replace(_server.Url.ToString().TrimEnd('/'), "http://127.0.0.1:9")));
        var unreachable = await Assert.ThrowsAsync<KubernetesApiException>(() => nowhere.VersionAsync(CancellationToken.None));

        Assert.Equal((403, "Forbidden"), (forbidden.Code, forbidden.Reason));
        Assert.StartsWith("apply Deployment shop/web: 403 Forbidden: deployments.apps is forbidden", forbidden.Message);
        Assert.Equal((422, "Invalid"), (invalid.Code, invalid.Reason));
        Assert.Contains("apply Service shop/web", invalid.Message);
        Assert.Contains("spec.ports[0].port: Invalid value: must be between 1 and 65535, inclusive", invalid.Message);
        Assert.Equal(401, unauthorized.Code);
        Assert.DoesNotContain("expired-token", unauthorized.Message);
        Assert.Equal("Unreachable", unreachable.Reason);
        Assert.Contains("cannot reach the API server at http://127.0.0.1:9/", unreachable.Message);
    }

    [Fact]
    public async Task Exec_plugin_token_authenticates_and_a_failing_plugins_output_goes_to_the_log_only()
    {
        var dir = Directory.CreateTempSubdirectory("rad-exec-");
        try
        {
            var plugin = Path.Combine(dir.FullName, "fake-gcloud");
            var credential = new JsonObject
            {
                ["apiVersion"] = "client.authentication.k8s.io/v1",
                ["kind"] = "ExecCredential",
                ["status"] = new JsonObject { ["token"] = _server.Token, ["expirationTimestamp"] = "2099-01-01T00:00:00Z" },
            }.ToJsonString();
            await File.WriteAllTextAsync(plugin, "#!/bin/sh\n" +
                "[ \"$1\" = \"fail\" ] && { echo \"ERROR: (gcloud.auth) You do not currently have an active account selected.\" >&2; exit 1; }\n" +
                $"echo '{credential}'\n");
            await RunAsync("chmod", "700", plugin);
            string Config(string arg) => $"""
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster:
                    server: "{_server.Url}"
                users:
                - name: u
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: {plugin}
                      args: ["{arg}"]
                      installHint: install the fake
                contexts:
                - name: x
                  context:
                    cluster: c
                    user: u
                current-context: x
                """;

            using var good = new KubernetesDynamicClient(Kubeconfig.Load(Config("ok")));
            var log = new RecordingLogger();
            using var bad = new KubernetesDynamicClient(Kubeconfig.Load(Config("fail")), log);

            Assert.Equal("v1.30.0-fake", await good.VersionAsync(CancellationToken.None));
            var failure = await Assert.ThrowsAsync<KubeconfigException>(() => bad.VersionAsync(CancellationToken.None));
            // What the plugin prints goes to RAD's log, never into the error that deployment status shows.
            Assert.Equal($"the credential plugin '{plugin}' failed (exit 1); its error output is in the log of RAD's service that ran it", failure.Message);
            Assert.Contains("You do not currently have an active account selected", Assert.Single(log.Lines));
            Assert.DoesNotContain(_server.Token!, failure.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Exec_plugin_is_asked_once_and_again_only_when_the_server_refuses_its_cached_token()
    {
        var dir = Directory.CreateTempSubdirectory("rad-exec-");
        try
        {
            var (plugin, current, runs) = (Path.Combine(dir.FullName, "rotating"), Path.Combine(dir.FullName, "current"), Path.Combine(dir.FullName, "runs"));
            await File.WriteAllTextAsync(current, "first-token");
            _server.Token = "first-token";
            // Valid for hours, so only a 401 can make the client ask again.
            await File.WriteAllTextAsync(plugin, "#!/bin/sh\necho run >> " + runs + "\n" +
                "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}' \"$(cat " + current + ")\"\n");
            await RunAsync("chmod", "700", plugin);
            using var client = new KubernetesDynamicClient(Kubeconfig.Load(_server.Kubeconfig("shop").Replace("    token: first-token",
                $"    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {plugin}")));
            var beforeFirstRequest = File.Exists(runs);

            await client.VersionAsync(CancellationToken.None);
            await client.VersionAsync(CancellationToken.None);
            var cached = (await File.ReadAllLinesAsync(runs)).Length;
            // The token is revoked before its expiry.
            _server.Token = "second-token";
            await File.WriteAllTextAsync(current, "second-token");
            var version = await client.VersionAsync(CancellationToken.None);

            Assert.False(beforeFirstRequest);
            Assert.Equal(1, cached);
            Assert.Equal("v1.30.0-fake", version);
            Assert.Equal(2, (await File.ReadAllLinesAsync(runs)).Length);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(file, arguments);
        await process.WaitForExitAsync();
    }

    sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
