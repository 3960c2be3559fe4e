using Rad.Clusters;
using Rad.FakeKubernetes;
using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

public sealed class ClusterTemplateTests
{
    const string Template = """
        apiVersion: cluster.x-k8s.io/v1beta1
        kind: Cluster
        metadata:
          name: ${CLUSTER_NAME}
        spec:
          topology:
            class: quick-start
            version: ${KUBERNETES_VERSION}
        ---
        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
        kind: DockerCluster
        metadata:
          name: ${CLUSTER_NAME}
          namespace: elsewhere
        """;

    [Fact]
    public void Variables_are_filled_in_and_objects_land_in_the_management_namespace()
    {
        var objects = ClusterTemplate.Render(Template, "shop-prod", "capi", new Dictionary<string, string> { ["KUBERNETES_VERSION"] = "v1.30.0" });

        Assert.Equal(2, objects.Count);
        Assert.Equal("shop-prod", objects[0]["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("v1.30.0", objects[0]["spec"]!["topology"]!["version"]!.GetValue<string>());
        Assert.Equal("capi", objects[0]["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("elsewhere", objects[1]["metadata"]!["namespace"]!.GetValue<string>());
        Assert.True(ClusterTemplate.IsCluster(objects[0]));
        Assert.False(ClusterTemplate.IsCluster(objects[1]));
    }

    [Fact]
    public async Task Delete_removes_the_templates_objects_from_the_management_cluster_the_cluster_first()
    {
        await using var server = await FakeKubernetesServer.StartAsync();
        var context = Kubeconfig.Load(server.Kubeconfig("capi"));
        using var api = new KubernetesDynamicClient(context);
        var variables = new Dictionary<string, string> { ["KUBERNETES_VERSION"] = "v1.30.0" };
        var management = new RegisteredCluster("mgmt", RegisteredCluster.KubernetesKind, context.Server.ToString(), context.Name, "capi", context.AuthKind,
            Kubeconfig.Flatten(context), DateTimeOffset.UtcNow);
        var cluster = new RegisteredCluster("shop-prod", RegisteredCluster.ClusterApiKind, "", "", "apps", "", "", DateTimeOffset.UtcNow,
            new ClusterApiDefinition("mgmt", Template, variables));
        foreach (var ns in new[] { "capi", "elsewhere" })
            await api.ApplyAsync(Manifests.Namespace(ns), CancellationToken.None);
        foreach (var obj in ClusterTemplate.Render(Template, "shop-prod", "capi", variables))
            await api.ApplyAsync(obj, CancellationToken.None);

        await ClusterTemplate.DeleteAsync(api, cluster, management, CancellationToken.None);

        Assert.Empty(server.Store.List(ResourceType.Of("Cluster"), null));
        Assert.Empty(server.Store.List(ResourceType.Of("DockerCluster"), null));
        Assert.Equal(["/apis/cluster.x-k8s.io/v1beta1/namespaces/capi/clusters/shop-prod?propagationPolicy=Foreground",
                "/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/elsewhere/dockerclusters/shop-prod?propagationPolicy=Foreground"],
            server.Requests.Where(r => r.Method == "DELETE").Select(r => r.Path));
    }

    [Fact]
    public void Missing_variables_and_a_missing_cluster_are_named()
    {
        var missing = Assert.Throws<ClusterTemplate.TemplateException>(() => ClusterTemplate.Render(Template, "c", "capi", new Dictionary<string, string>()));
        var noCluster = Assert.Throws<ClusterTemplate.TemplateException>(() =>
            ClusterTemplate.Render(Template.Replace("name: ${CLUSTER_NAME}\nspec", "name: other\nspec"), "c", "capi", new Dictionary<string, string> { ["KUBERNETES_VERSION"] = "v1" }));
        var notYaml = Assert.Throws<ClusterTemplate.TemplateException>(() => ClusterTemplate.Render("kind: [", "c", "capi", new Dictionary<string, string>()));

        Assert.Equal("the template uses ${KUBERNETES_VERSION} without a value; give each with --var NAME=VALUE", missing.Message);
        Assert.Equal("the template has no Cluster (cluster.x-k8s.io) named c; name it ${CLUSTER_NAME}", noCluster.Message);
        Assert.StartsWith("the template is not valid YAML", notYaml.Message);
    }
}
