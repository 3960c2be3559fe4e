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
}
