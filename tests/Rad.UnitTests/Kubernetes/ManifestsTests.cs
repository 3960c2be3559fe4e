using System.Text;
using System.Text.Json.Nodes;
using Rad.Contracts;
using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

public sealed class ManifestsTests
{
    static readonly ApplicationSpec Web = new("web", "Dockerfile", ".", 3, 30080, 8080);
    const string Commit = "0123456789abcdef0123456789abcdef01234567";

    [Theory]
    [InlineData(30000, null, "NodePort")]
    [InlineData(32767, "LoadBalancer", "NodePort")]
    [InlineData(8080, null, "ClusterIP")]
    [InlineData(8080, "LoadBalancer", "LoadBalancer")]
    [InlineData(29999, "NodePort", "NodePort")]
    public void Service_type_is_node_port_in_the_node_port_range_else_as_configured(int port, string? configured, string expected)
    {
        var service = Manifests.Service("shop", Web with { Port = port, ServiceType = configured }, Commit);

        Assert.Equal(expected, service["spec"]!["type"]!.GetValue<string>());
        Assert.Equal(port is >= 30000 and <= 32767, service["spec"]!["ports"]![0]!["nodePort"] is not null);
    }

    [Fact]
    public void Deployment_pins_the_image_labels_annotates_probes_and_limits()
    {
        var app = Web with { Resources = new ApplicationResources("100m", "64Mi", null, "128Mi") };

        var deployment = Manifests.Deployment("shop", app, "registry.test/web@sha256:abc", Commit, "rad-pull-registry-test");

        var pod = deployment["spec"]!["template"]!;
        var container = pod["spec"]!["containers"]![0]!;
        Assert.Equal(3, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("registry.test/web@sha256:abc", container["image"]!.GetValue<string>());
        Assert.Equal(8080, container["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal(8080, container["readinessProbe"]!["tcpSocket"]!["port"]!.GetValue<int>());
        Assert.Equal("""{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"128Mi"}}""", container["resources"]!.ToJsonString());
        Assert.Equal("web", pod["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("rad", deployment["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal(Commit, deployment["metadata"]!["annotations"]!["rad/commit"]!.GetValue<string>());
        Assert.Equal("rad-pull-registry-test", pod["spec"]!["imagePullSecrets"]![0]!["name"]!.GetValue<string>());
        Assert.Null(Manifests.Deployment("shop", Web, "x", Commit, null)["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]);
    }

    [Fact]
    public void Registry_credentials_become_a_dockerconfigjson_secret_that_the_deployment_references()
    {
        var objects = Manifests.ForApplication("shop", Web, "registry.test:5000/web@sha256:abc", Commit, new PullCredentials("registry.test:5000", "ci", "pw"));

        Assert.Equal(["Namespace", "Secret", "Deployment", "Service"], objects.Select(o => o["kind"]!.GetValue<string>()));
        var secret = objects[1];
        Assert.Equal("kubernetes.io/dockerconfigjson", secret["type"]!.GetValue<string>());
        var config = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![".dockerconfigjson"]!.GetValue<string>())))!;
        Assert.Equal(Convert.ToBase64String("ci:pw"u8.ToArray()), config["auths"]!["registry.test:5000"]!["auth"]!.GetValue<string>());
        Assert.Equal(secret["metadata"]!["name"]!.GetValue<string>(),
            objects[2]["spec"]!["template"]!["spec"]!["imagePullSecrets"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Yaml_stream_reads_back_as_the_same_objects()
    {
        var objects = Manifests.ForApplication("shop", Web with { Resources = new ApplicationResources("0.5", null, "1", null) }, "r/web@sha256:1", Commit, null);

        var read = ManifestYaml.ReadAll(ManifestYaml.WriteAll(objects));

        Assert.Equal(objects.Count, read.Count);
        for (var i = 0; i < objects.Count; i++)
            Assert.True(JsonNode.DeepEquals(objects[i], read[i]), $"{objects[i].ToJsonString()}\n!=\n{read[i].ToJsonString()}");
    }

    [Fact]
    public void The_health_check_becomes_a_readiness_probe_with_its_successes_and_a_liveness_probe_that_restarts_after_30_s_of_failures()
    {
        var app = Web with { Health = new HealthCheck("/healthz", "2xx", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2.5), 3) };

        var container = Manifests.Deployment("shop", app, "r/web@sha256:1", Commit, null)["spec"]!["template"]!["spec"]!["containers"]![0]!;

        // Kubernetes probes count whole seconds: 500 ms is 1 s, 2.5 s is 3 s.
        Assert.Equal("""{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"periodSeconds":1,"timeoutSeconds":3,"successThreshold":3,"failureThreshold":3}""",
            container["readinessProbe"]!.ToJsonString());
        Assert.Equal("""{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"periodSeconds":1,"timeoutSeconds":3,"successThreshold":1,"failureThreshold":30}""",
            container["livenessProbe"]!.ToJsonString());
    }

    [Fact]
    public void Without_a_path_the_probes_are_tcp_connects_every_second()
    {
        var container = Manifests.Deployment("shop", Web, "r/web@sha256:1", Commit, null)["spec"]!["template"]!["spec"]!["containers"]![0]!;

        Assert.Equal("""{"tcpSocket":{"port":8080},"periodSeconds":1,"timeoutSeconds":2,"successThreshold":1,"failureThreshold":3}""", container["readinessProbe"]!.ToJsonString());
        Assert.Equal(30, container["livenessProbe"]!["failureThreshold"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(null, """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}}""")]
    [InlineData(RolloutPolicy.Rolling, """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}}""")]
    [InlineData(RolloutPolicy.Recreate, """{"type":"Recreate"}""")]
    [InlineData(RolloutPolicy.BlueGreen, """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}}""")]
    public void The_strategy_becomes_the_deployments_update_strategy(string? strategy, string expected)
    {
        var app = Web with { Rollout = strategy is null ? null : new RolloutPolicy(strategy, TimeSpan.Zero) };

        Assert.Equal(expected, Manifests.Deployment("shop", app, "x", Commit, null)["spec"]!["strategy"]!.ToJsonString());
    }

    [Theory]
    [InlineData("2xx", null, true)]
    [InlineData("200", null, true)]
    [InlineData("2xx-3xx", null, false)]
    [InlineData("200-399", null, false)]
    [InlineData("404", "web's health.expect \"404\" accepts statuses (404-404) that a Kubernetes probe cannot: the kubelet counts only 200-399 as success", false)]
    [InlineData("2xx-4xx", "web's health.expect \"2xx-4xx\" accepts statuses (200-499) that a Kubernetes probe cannot", false)]
    public void An_expect_within_200_399_is_probed_as_200_399_and_one_beyond_it_is_refused(string expect, string? problem, bool looser)
    {
        var app = Web with { Health = new HealthCheck("/healthz", expect, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1) };

        if (problem is null)
            Assert.Null(Manifests.ProbeProblem(app));
        else
            Assert.StartsWith(problem, Manifests.ProbeProblem(app));
        Assert.Equal(looser, Manifests.ProbeIsLooserThanExpect(app.Health!));
        Assert.Null(Manifests.ProbeProblem(Web));
    }

    [Fact]
    public void A_blue_green_application_starts_as_its_blue_slot_with_a_service_selecting_that_slot()
    {
        var app = Web with { Rollout = new RolloutPolicy(RolloutPolicy.BlueGreen, TimeSpan.FromMinutes(5)) };

        var objects = Manifests.Workload("shop", app, "r/web@sha256:1", Commit, null);

        Assert.Equal(["Deployment web-blue", "Service web"], objects.Select(o => $"{o["kind"]} {o["metadata"]!["name"]}"));
        var slot = """{"app.kubernetes.io/name":"web","rad/slot":"blue"}""";
        Assert.Equal(slot, objects[0]["spec"]!["selector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal("""{"app.kubernetes.io/name":"web","app.kubernetes.io/managed-by":"rad","rad/slot":"blue"}""", objects[0]["spec"]!["template"]!["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal(slot, objects[1]["spec"]!["selector"]!.ToJsonString());
        var kept = Manifests.Service("shop", app, Commit, "green", new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal("2026-11-23T11:00:00Z", kept["metadata"]!["annotations"]!["rad/keep-previous-until"]!.GetValue<string>());
        // A fraction of a second rounds up, so the previous slot is never kept less than asked.
        var fraction = Manifests.Service("shop", app, Commit, "green", new DateTimeOffset(2026, 11, 23, 11, 0, 0, 1, TimeSpan.Zero));
        Assert.Equal("2026-11-23T11:00:01Z", fraction["metadata"]!["annotations"]!["rad/keep-previous-until"]!.GetValue<string>());
    }
}
