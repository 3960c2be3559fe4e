using System.Text.Json;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>
/// Deployments to a Kubernetes cluster registered by kubeconfig, through the whole running stack. The API server is
/// the fake (no real one can run here), started by this test in its own process on 127.0.0.1.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class KubernetesPipelineTests(Stack stack) : IAsyncLifetime
{
    FakeKubernetesServer _server = null!;
    readonly List<string> _clusters = [];
    readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("rad-it-kube-");

    public async Task InitializeAsync() => _server = await FakeKubernetesServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var cluster in _clusters)
            await stack.CliAsync("clusters", "remove", cluster);
        await _server.DisposeAsync();
        _files.Delete(recursive: true);
    }

    async Task<string> RegisterAsync(string kubeconfig)
    {
        var name = Stack.UniqueName("k8s");
        var file = Path.Combine(_files.FullName, $"{name}.yaml");
        await File.WriteAllTextAsync(file, kubeconfig);
        var (exit, stdout, stderr) = await stack.CliAsync("clusters", "add", name, "--kubeconfig", file);
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain(_server.Token!, stdout + stderr);
        _clusters.Add(name);
        return name;
    }

    [Fact]
    public async Task Deployment_to_a_registered_cluster_applies_pinned_manifests_and_waits_for_the_rollout()
    {
        var cluster = await RegisterAsync(_server.Kubeconfig("shop"));
        var name = Stack.UniqueName("kube");
        var port = Stack.FreePort();
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, replicas: 2));

        var id = await stack.DeployAsync(url, cluster: cluster);
        var deployment = await stack.WaitForEndAsync(id);

        Assert.True(deployment.State == "Succeeded", await stack.LogAsync(id));
        var app = deployment.Applications[0];
        Assert.Equal($"http://127.0.0.1:{port}", app.Endpoint);
        Assert.Equal(2, app.RunningReplicas);
        var applied = _server.Store.Get(ResourceTypes("Deployment"), "shop", name)!;
        Assert.Equal(app.Image, applied["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Contains("@sha256:", app.Image);
        Assert.Equal(deployment.Commit, applied["metadata"]!["annotations"]!["rad/commit"]!.GetValue<string>());
        Assert.Equal("rad", applied["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal("NodePort", _server.Store.Get(ResourceTypes("Service"), "shop", name)!["spec"]!["type"]!.GetValue<string>());
        Assert.NotNull(_server.Store.Get(ResourceTypes("Namespace"), null, "shop"));
        Assert.All(_server.Requests.Where(r => r.Method == "PATCH"), r =>
        {
            Assert.Equal("application/apply-patch+yaml", r.ContentType?.Split(';')[0]);
            Assert.Contains("fieldManager=rad", r.Path);
        });
        await AssertNoCredentialAsync(id);
    }

    [Fact]
    public async Task Image_pull_back_off_fails_the_deployment_with_the_kubelets_words()
    {
        var cluster = await RegisterAsync(_server.Kubeconfig("pulls"));
        var name = Stack.UniqueName("kube-pull");
        _server.Scenarios[name] = Scenario.ImagePullBackOff;
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));

        var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(url, cluster: cluster));

        Assert.Equal("Failed", deployment.State);
        var error = deployment.Error!;
        Assert.StartsWith($"deploy application[{name}]: cluster {cluster}", error);
        Assert.Contains("ImagePullBackOff: Back-off pulling image", error);
        Assert.Contains("Failed to pull image", error);
    }

    [Fact]
    public async Task Forbidden_namespace_and_rejected_manifest_fail_with_the_servers_reason_and_the_resource()
    {
        var cluster = await RegisterAsync(_server.Kubeconfig("locked"));
        var name = Stack.UniqueName("kube-403");
        var port = Stack.FreePort();
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, port));
        // The namespace exists, but the token may not write in it.
        _server.Store.Put(ResourceTypes("Namespace"), (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"locked"}}""")!, "ADDED");
        _server.ForbiddenNamespaces["locked"] = true;

        var forbidden = await stack.WaitForEndAsync(await stack.DeployAsync(url, cluster: cluster));
        _server.ForbiddenNamespaces.Clear();
        // Another application already holds the node port: the server rejects the Service (422).
        var other = Stack.UniqueName("kube-422");
        var otherUrl = await stack.PublishRepoAsync(other, Repos.WebApp(other, port));
        await stack.WaitForEndAsync(await stack.DeployAsync(url, cluster: cluster));
        var rejected = await stack.WaitForEndAsync(await stack.DeployAsync(otherUrl, cluster: cluster));

        Assert.Contains($"apply Deployment locked/{name}: 403 Forbidden: deployments.apps is forbidden", forbidden.Error);
        Assert.Equal("Failed", rejected.State);
        Assert.Contains($"apply Service locked/{other}: 422 Invalid", rejected.Error);
        Assert.Contains($"spec.ports[0].nodePort: Invalid value: {port}: provided port is already allocated", rejected.Error);
    }

    [Fact]
    public async Task Unreachable_server_and_expired_credentials_fail_at_the_cluster_stage()
    {
        var unreachable = await RegisterAsync(_server.Kubeconfig("x").Replace(_server.Url.ToString().TrimEnd('/'), "http://127.0.0.1:9"));
        var expired = await RegisterAsync(_server.Kubeconfig("x", token: "expired-" + Guid.NewGuid().ToString("N")));
        var name = Stack.UniqueName("kube-down");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));

        var down = await stack.WaitForEndAsync(await stack.DeployAsync(url, cluster: unreachable));
        var denied = await stack.WaitForEndAsync(await stack.DeployAsync(url, cluster: expired));

        Assert.StartsWith($"provision cluster[{unreachable}]: cluster {unreachable}", down.Error);
        Assert.Contains("cannot reach the API server at http://127.0.0.1:9/", down.Error);
        Assert.Contains("GET /version: 401 Unauthorized", denied.Error);
        Assert.DoesNotContain("expired-", await stack.GetRawAsync(denied.Id));
    }

    [Fact]
    public async Task Clusters_are_listed_without_credentials_and_a_bad_kubeconfig_is_refused()
    {
        var cluster = await RegisterAsync(_server.Kubeconfig("listed"));
        var broken = Path.Combine(_files.FullName, "broken.yaml");
        await File.WriteAllTextAsync(broken, _server.Kubeconfig().Replace("current-context: fake", "current-context: nowhere"));

        var list = await stack.CliAsync("clusters", "list", "--output", "json");
        var refused = await stack.CliAsync("clusters", "add", Stack.UniqueName("bad"), "--kubeconfig", broken);

        Assert.Equal(0, list.ExitCode);
        var listed = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == cluster);
        Assert.Equal(("listed", "bearer token"), (listed.GetProperty("namespace").GetString(), listed.GetProperty("auth").GetString()));
        Assert.DoesNotContain(_server.Token!, list.Stdout);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("context 'nowhere' is not in the kubeconfig; it has: fake", refused.Stderr);
    }

    // A plain Cluster API template (Cluster + infrastructure + control plane + machines), as `clusterctl generate cluster` writes them.
    const string CapiTemplate = """
        apiVersion: cluster.x-k8s.io/v1beta1
        kind: Cluster
        metadata:
          name: ${CLUSTER_NAME}
        spec:
          clusterNetwork:
            pods:
              cidrBlocks: ["192.168.0.0/16"]
          controlPlaneRef:
            apiVersion: controlplane.cluster.x-k8s.io/v1beta1
            kind: KubeadmControlPlane
            name: ${CLUSTER_NAME}-control-plane
          infrastructureRef:
            apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
            kind: DockerCluster
            name: ${CLUSTER_NAME}
        ---
        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
        kind: DockerCluster
        metadata:
          name: ${CLUSTER_NAME}
        spec: {}
        ---
        apiVersion: controlplane.cluster.x-k8s.io/v1beta1
        kind: KubeadmControlPlane
        metadata:
          name: ${CLUSTER_NAME}-control-plane
        spec:
          replicas: 1
          version: ${KUBERNETES_VERSION}
          machineTemplate:
            infrastructureRef:
              apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
              kind: DockerMachineTemplate
              name: ${CLUSTER_NAME}-control-plane
          kubeadmConfigSpec: {}
        ---
        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
        kind: DockerMachineTemplate
        metadata:
          name: ${CLUSTER_NAME}-control-plane
        spec:
          template:
            spec: {}
        ---
        apiVersion: cluster.x-k8s.io/v1beta1
        kind: MachineDeployment
        metadata:
          name: ${CLUSTER_NAME}-md-0
        spec:
          clusterName: ${CLUSTER_NAME}
          replicas: 2
          template:
            spec:
              clusterName: ${CLUSTER_NAME}
              version: ${KUBERNETES_VERSION}
        """;

    [Fact]
    public async Task Cluster_api_cluster_is_created_at_its_first_deployment_with_progress_and_deleted_with_its_resources()
    {
        var management = await RegisterAsync(_server.Kubeconfig("capi-system"));
        var template = Path.Combine(_files.FullName, "capi.yaml");
        await File.WriteAllTextAsync(template, CapiTemplate);
        var name = Stack.UniqueName("capi");
        var missingVariable = await stack.CliAsync("clusters", "create", name, "--management", management, "--template", template);
        var create = await stack.CliAsync("clusters", "create", name, "--management", management, "--template", template,
            "--var", "KUBERNETES_VERSION=v1.30.0", "--namespace", "apps");
        Assert.Equal(2, missingVariable.ExitCode);
        Assert.Contains("${KUBERNETES_VERSION} without a value", missingVariable.Stderr);
        Assert.True(create.ExitCode == 0, create.Stderr);
        _clusters.Add(name);
        var app = Stack.UniqueName("capi-app");
        var url = await stack.PublishRepoAsync(app, Repos.WebApp(app, Stack.FreePort()));

        var id = await stack.DeployAsync(url, cluster: name);
        var deployment = await stack.WaitForEndAsync(id);

        Assert.True(deployment.State == "Succeeded", await stack.LogAsync(id));
        var stage = deployment.Stages.Single(s => s.Name == $"provision cluster[{name}]");
        Assert.Equal("created, namespace apps", stage.Message);
        var log = await stack.LogAsync(id);
        Assert.True(log.Split('\n').Count(l => l.EndsWith($"[IN PROGRESS]: provision cluster[{name}]", StringComparison.Ordinal)) >= 3, log);
        Assert.NotNull(_server.Store.Get(ResourceTypes("Deployment"), "apps", app));
        foreach (var kind in new[] { "Cluster", "DockerCluster", "KubeadmControlPlane", "MachineDeployment" })
            Assert.Contains(_server.Store.List(ResourceTypes(kind), "capi-system"), o => o["metadata"]!["name"]!.GetValue<string>().StartsWith(name, StringComparison.Ordinal));
        var listed = JsonDocument.Parse((await stack.CliAsync("clusters", "list", "-o", "json")).Stdout).RootElement.EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == name);
        Assert.True(listed.GetProperty("provisioned").GetBoolean());
        Assert.Equal(_server.Url.ToString(), listed.GetProperty("server").GetString());

        var removed = await stack.CliAsync("clusters", "remove", name);

        Assert.Equal(0, removed.ExitCode);
        _clusters.Remove(name);
        foreach (var kind in new[] { "Cluster", "DockerCluster", "KubeadmControlPlane", "DockerMachineTemplate", "MachineDeployment" })
            Assert.DoesNotContain(_server.Store.List(ResourceTypes(kind), "capi-system"), o => o["metadata"]!["name"]!.GetValue<string>().StartsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cluster_api_cluster_that_fails_to_provision_fails_the_deployment_with_its_failure_message()
    {
        var management = await RegisterAsync(_server.Kubeconfig("capi-failing"));
        var template = Path.Combine(_files.FullName, "capi-failing.yaml");
        await File.WriteAllTextAsync(template, CapiTemplate);
        var name = Stack.UniqueName("capi-bad");
        _server.ClusterApi.Failing.Add(name);
        Assert.Equal(0, (await stack.CliAsync("clusters", "create", name, "--management", management, "--template", template, "--var", "KUBERNETES_VERSION=v1.30.0")).ExitCode);
        _clusters.Add(name);
        var app = Stack.UniqueName("capi-bad-app");
        var url = await stack.PublishRepoAsync(app, Repos.WebApp(app, Stack.FreePort()));

        var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(url, cluster: name));

        Assert.Equal("Failed", deployment.State);
        Assert.Contains($"Cluster capi-failing/{name} failed: InvalidConfiguration: Failure detected from referenced resource", deployment.Error);
        Assert.Contains("failed to create load balancer", deployment.Error);
    }

    async Task AssertNoCredentialAsync(Guid id)
    {
        Assert.DoesNotContain(_server.Token!, await stack.GetRawAsync(id));
        Assert.DoesNotContain(_server.Token!, await stack.LogAsync(id));
        foreach (var log in Directory.GetFiles(Path.Combine(stack.State, "logs"), "*.log"))
            Assert.DoesNotContain(_server.Token!, await File.ReadAllTextAsync(log));
    }

    static ResourceType ResourceTypes(string kind) => ResourceType.All.First(r => r.Kind == kind);
}
