using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>
/// The fake's controllers against the Kubernetes documentation ("Deployments": rolling update with maxSurge and
/// maxUnavailable, Recreate, scaling; "Configure Liveness, Readiness and Startup Probes"; "EndpointSlices"), with plain
/// HTTP requests, not RAD's client.
/// </summary>
public sealed class FakeDeploymentControllerTests : IAsyncLifetime
{
    FakeKubernetesServer _server = null!;
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.Url };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.Token);
        (await ApplyAsync("/api/v1/namespaces/shop", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    static string Deployment(string image, int replicas, JsonObject? strategy = null, JsonObject? readiness = null, JsonObject? selector = null)
    {
        var container = new JsonObject { ["name"] = "web", ["image"] = image };
        if (readiness is not null)
            container["readinessProbe"] = readiness;
        var spec = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = selector ?? new JsonObject { ["app"] = "web" } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web", ["tier"] = "front" } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(container) },
            },
        };
        if (strategy is not null)
            spec["strategy"] = strategy;
        return new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "shop" }, ["spec"] = spec }
            .ToJsonString();
    }

    static JsonObject Rolling(JsonNode maxSurge, JsonNode maxUnavailable) => new()
    {
        ["type"] = "RollingUpdate",
        ["rollingUpdate"] = new JsonObject { ["maxSurge"] = maxSurge, ["maxUnavailable"] = maxUnavailable },
    };

    static JsonObject TcpProbe() => new() { ["tcpSocket"] = new JsonObject { ["port"] = 8080 }, ["periodSeconds"] = 1 };

    Task<HttpResponseMessage> ApplyAsync(string path, string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        return _http.PatchAsync(path + "?fieldManager=test", content);
    }

    Task<HttpResponseMessage> ApplyDeploymentAsync(string body) => ApplyAsync("/apis/apps/v1/namespaces/shop/deployments/web", body);

    List<JsonObject> Pods() => _server.Store.List(ResourceType.Of("Pod"), "shop");

    JsonObject Status() => _server.Store.Get(ResourceType.Of("Deployment"), "shop", "web")?["status"] as JsonObject ?? new JsonObject();

    async Task UntilAsync(Func<bool> condition, string what, int seconds = 10)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"not within {seconds} s: {what}; status {Status().ToJsonString()}");
            await Task.Delay(25);
        }
    }

    static async Task<string> MessageAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();

    static string Image(JsonObject pod) => pod["spec"]!["containers"]![0]!["image"]!.GetValue<string>();

    [Fact]
    public async Task Rolling_update_with_max_unavailable_0_keeps_every_old_pod_while_the_new_one_is_not_ready()
    {
        (await ApplyDeploymentAsync(Deployment("web:1", 4, Rolling("25%", 0), TcpProbe()))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["availableReplicas"]?.GetValue<int>() == 4, "4 available");
        _server.Scenarios["web:2"] = Scenario.Unready;
        using var recorder = new StoreRecorder(_server.Store);

        (await ApplyDeploymentAsync(Deployment("web:2", 4, Rolling("25%", 0), TcpProbe()))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["conditions"]!.AsArray().Any(c => c!["reason"]!.GetValue<string>() == "ProgressDeadlineExceeded"), "progress deadline exceeded");

        var status = Status();
        // maxSurge 25% of 4 = 1 new pod; maxUnavailable 0: all 4 old pods stay while it is not ready.
        Assert.Equal((5, 1, 4, 4), (status["replicas"]!.GetValue<int>(), status["updatedReplicas"]!.GetValue<int>(),
            status["readyReplicas"]!.GetValue<int>(), status["availableReplicas"]!.GetValue<int>()));
        Assert.Equal("True", status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Available")!["status"]!.GetValue<string>());
        Assert.Equal(4, Pods().Count(p => Image(p) == "web:1" && DeploymentController.Ready(p)));
        Assert.Equal(1, Pods().Count(p => Image(p) == "web:2"));
        Assert.True(recorder.PodStates().All(s => s.Count(DeploymentController.Ready) >= 4));
        var unhealthy = _server.Store.List(ResourceType.Of("Event"), "shop").Single(e => e["reason"]!.GetValue<string>() == "Unhealthy");
        Assert.Matches(@"^Readiness probe failed: dial tcp 10\.244\.0\.\d+:8080: connect: connection refused$", unhealthy["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rolling_update_replaces_pods_one_surge_at_a_time_and_never_goes_below_max_unavailable()
    {
        (await ApplyDeploymentAsync(Deployment("web:1", 4, Rolling(1, 1)))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["availableReplicas"]?.GetValue<int>() == 4, "4 available");
        using var recorder = new StoreRecorder(_server.Store);

        (await ApplyDeploymentAsync(Deployment("web:2", 4, Rolling(1, 1)))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["observedGeneration"]?.GetValue<long>() == 2 && Status()["updatedReplicas"]?.GetValue<int>() == 4
                               && Status()["availableReplicas"]?.GetValue<int>() == 4 && Status()["replicas"]?.GetValue<int>() == 4, "rolled out");

        var states = recorder.PodStates().ToList();
        Assert.True(states.Max(s => s.Count) <= 5, "more than replicas + maxSurge pods");
        Assert.True(states.Min(s => s.Count(DeploymentController.Ready)) >= 3, "fewer than replicas - maxUnavailable ready pods");
        Assert.All(Pods(), p => Assert.Equal("web:2", Image(p)));
        Assert.Equal("NewReplicaSetAvailable", Status()["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Progressing")!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Recreate_deletes_every_old_pod_before_it_creates_a_new_one()
    {
        var recreate = new JsonObject { ["type"] = "Recreate" };
        (await ApplyDeploymentAsync(Deployment("web:1", 3, recreate))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["availableReplicas"]?.GetValue<int>() == 3, "3 available");
        using var recorder = new StoreRecorder(_server.Store);

        (await ApplyDeploymentAsync(Deployment("web:2", 3, (JsonObject)recreate.DeepClone()))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["observedGeneration"]?.GetValue<long>() == 2 && Status()["updatedReplicas"]?.GetValue<int>() == 3
                               && Status()["availableReplicas"]?.GetValue<int>() == 3 && Status()["replicas"]?.GetValue<int>() == 3, "rolled out");

        Assert.DoesNotContain(recorder.PodStates(), s => s.Any(p => Image(p) == "web:1") && s.Any(p => Image(p) == "web:2"));
        Assert.Contains(recorder.Of("Deployment", "web"), c =>
            c.Object["status"]?["conditions"]?.AsArray().Any(x => x!["type"]!.GetValue<string>() == "Available" && x["status"]!.GetValue<string>() == "False") == true);
    }

    [Fact]
    public async Task Scaling_with_the_same_template_keeps_the_running_pods()
    {
        (await ApplyDeploymentAsync(Deployment("web:1", 1))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["availableReplicas"]?.GetValue<int>() == 1, "1 available");
        var first = Pods().Single()["metadata"]!["name"]!.GetValue<string>();

        (await ApplyDeploymentAsync(Deployment("web:1", 3))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["availableReplicas"]?.GetValue<int>() == 3, "3 available");
        var scaledUp = Pods().Select(p => p["metadata"]!["name"]!.GetValue<string>()).ToList();
        (await ApplyDeploymentAsync(Deployment("web:1", 0))).EnsureSuccessStatusCode();
        await UntilAsync(() => Pods().Count == 0 && Status()["observedGeneration"]?.GetValue<long>() == 3, "scaled to 0");

        Assert.Contains(first, scaledUp);
        Assert.Equal(3, scaledUp.Count);
        Assert.Null(Status()["replicas"]);
    }

    [Fact]
    public async Task A_pod_is_ready_only_after_success_threshold_probes_one_period_apart()
    {
        _server.Controller.ProgressDeadline = TimeSpan.FromSeconds(10);
        var probe = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/healthz", ["port"] = 8080 }, ["periodSeconds"] = 1, ["successThreshold"] = 3 };
        (await ApplyDeploymentAsync(Deployment("web:1", 1, readiness: probe))).EnsureSuccessStatusCode();

        await UntilAsync(() => Pods().Any(p => p["status"]?["phase"]?.GetValue<string>() == "Running"), "running");
        var running = DateTimeOffset.UtcNow;
        await UntilAsync(() => Pods().Any(DeploymentController.Ready), "ready");

        var waited = DateTimeOffset.UtcNow - running;
        // Not before the third probe, two periods after the first; the upper bound only says it does get there (a loaded
        // machine delays the controller's timer and this test's polling, which once made it 3 s and more).
        Assert.InRange(waited, TimeSpan.FromSeconds(1.7), TimeSpan.FromSeconds(8));
        var stored = _server.Store.Get(ResourceType.Of("Deployment"), "shop", "web")!;
        var defaulted = stored["spec"]!["template"]!["spec"]!["containers"]![0]!["readinessProbe"]!;
        Assert.Equal((1, 3, "HTTP"), (defaulted["timeoutSeconds"]!.GetValue<int>(), defaulted["failureThreshold"]!.GetValue<int>(), defaulted["httpGet"]!["scheme"]!.GetValue<string>()));
        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}""", stored["spec"]!["strategy"]!.ToJsonString());
    }

    [Fact]
    public async Task The_api_server_refuses_a_new_selector_a_recreate_with_rolling_parameters_and_a_liveness_success_threshold_above_1()
    {
        (await ApplyDeploymentAsync(Deployment("web:1", 1))).EnsureSuccessStatusCode();

        using var selector = await ApplyDeploymentAsync(Deployment("web:1", 1, selector: new JsonObject { ["app"] = "web", ["tier"] = "front" }));
        using var recreate = await ApplyDeploymentAsync(Deployment("web:1", 1, new JsonObject { ["type"] = "Recreate", ["rollingUpdate"] = new JsonObject { ["maxSurge"] = 1 } }));
        using var bothZero = await ApplyDeploymentAsync(Deployment("web:1", 1, Rolling(0, "0%")));
        var liveness = JsonNode.Parse(Deployment("web:1", 1))!;
        liveness["spec"]!["template"]!["spec"]!["containers"]![0]!["livenessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = 8080 }, ["successThreshold"] = 3 };
        using var probe = await ApplyDeploymentAsync(liveness.ToJsonString());

        Assert.All(new[] { selector, recreate, bothZero, probe }, r => Assert.Equal((HttpStatusCode)422, r.StatusCode));
        Assert.Equal("Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
            await MessageAsync(selector));
        Assert.Contains("spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'", await MessageAsync(recreate));
        Assert.Contains("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0", await MessageAsync(bothZero));
        Assert.Contains("spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1", await MessageAsync(probe));
    }

    [Fact]
    public async Task The_endpoint_slice_lists_the_ready_pods_the_selector_matches_and_follows_a_selector_change()
    {
        (await ApplyDeploymentAsync(Deployment("web:1", 2))).EnsureSuccessStatusCode();
        await UntilAsync(() => Status()["availableReplicas"]?.GetValue<int>() == 2, "2 available");
        var service = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"selector":{"app":"web"},"ports":[{"name":"app","port":80,"targetPort":8080}]}}""";
        (await ApplyAsync("/api/v1/namespaces/shop/services/web", service)).EnsureSuccessStatusCode();
        JsonObject? Slice() => _server.Store.List(ResourceType.Of("EndpointSlice"), "shop").SingleOrDefault();
        await UntilAsync(() => Slice()?["endpoints"]?.AsArray().Count == 2, "two endpoints");

        var slice = Slice()!;
        var pods = Pods().Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal("web", slice["metadata"]!["labels"]!["kubernetes.io/service-name"]!.GetValue<string>());
        Assert.Equal(pods, slice["endpoints"]!.AsArray().Select(e => e!["targetRef"]!["name"]!.GetValue<string>()).Order());
        Assert.All(slice["endpoints"]!.AsArray(), e => Assert.True(e!["conditions"]!["ready"]!.GetValue<bool>()));
        Assert.Equal("""[{"name":"app","port":8080,"protocol":"TCP"}]""", slice["ports"]!.ToJsonString());

        (await ApplyAsync("/api/v1/namespaces/shop/services/web", service.Replace("\"app\":\"web\"}", "\"app\":\"other\"}"))).EnsureSuccessStatusCode();
        await UntilAsync(() => Slice()?["endpoints"]?.AsArray().Count == 0, "no endpoints");
        (await _http.DeleteAsync("/api/v1/namespaces/shop/services/web")).EnsureSuccessStatusCode();
        await UntilAsync(() => Slice() is null, "slice gone with its Service");
    }
}
