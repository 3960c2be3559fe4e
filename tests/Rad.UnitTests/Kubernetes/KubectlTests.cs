using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rad.Cli;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>
/// The fake API server held to a real client: kubectl (1.32, /usr/bin/kubectl) applies what `rad render` produces for a
/// sample checkout, reads it back, follows rollouts, lists events and deletes, through a kubeconfig that points at the
/// fake over HTTPS (kubectl sends no bearer token over plain HTTP).
/// </summary>
public sealed class KubectlTests : IAsyncLifetime
{
    const string Kubectl = "/usr/bin/kubectl";
    readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rad-kubectl-");
    FakeKubernetesServer _server = null!;
    WebApplication _registry = null!;
    string _registryAddress = "";
    string _commit = "";
    string _manifests = "";

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartHttpsAsync();
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "kubeconfig"), _server.Kubeconfig("shop"));
        (_registry, _registryAddress) = await StartRegistryAsync();
        var checkout = Directory.CreateDirectory(Path.Combine(_dir.FullName, "checkout")).FullName;
        await File.WriteAllTextAsync(Path.Combine(checkout, "rad.json"), $$"""
            {
              "applications": [
                { "application_name": "web", "dockerfile": "Dockerfile", "replica_count": 2, "port": 30080, "container_port": 8080 },
                { "application_name": "api", "dockerfile": "Dockerfile", "replica_count": 1, "port": 9090,
                  "resources": { "requests": { "cpu": "0.5", "memory": "64Mi" }, "limits": { "cpu": "1" } } },
                { "application_name": "shop", "dockerfile": "Dockerfile", "replica_count": 2, "port": 30090, "container_port": 8080,
                  "strategy": "blue-green", "health": { "path": "/healthz", "interval": "1s", "successes": 2 } }
              ],
              "registry": { "address": "{{_registryAddress}}/samples" }
            }
            """);
        await File.WriteAllTextAsync(Path.Combine(checkout, "Dockerfile"), "FROM scratch\n");
        await RunAsync("git", ["-C", checkout, "init", "-q"]);
        await RunAsync("git", ["-C", checkout, "add", "-A"]);
        await RunAsync("git", ["-C", checkout, "-c", "user.name=rad", "-c", "user.email=rad@example.com", "commit", "-q", "-m", "sample"]);
        _commit = (await RunAsync("git", ["-C", checkout, "rev-parse", "HEAD"])).Stdout.Trim();
        // Exactly what `rad render --target kubernetes CHECKOUT --namespace shop` prints.
        _manifests = Path.Combine(_dir.FullName, "manifests.yaml");
        await File.WriteAllTextAsync(_manifests, await KubernetesRender.RenderAsync(checkout, "rad.json", "shop", CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _server.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Kubectl_applies_the_rendered_manifests_server_side_and_reads_them_back()
    {
        var apply = await KubectlAsync("apply", "--server-side", "--field-manager=rad", "-f", _manifests);
        var deployment = await GetJsonAsync("deployment", "web");
        var service = await GetJsonAsync("service", "web");
        var api = await GetJsonAsync("deployment", "api");
        var clusterIp = await GetJsonAsync("service", "api");
        var table = await KubectlAsync("get", "deployments,services");

        Assert.True(apply.ExitCode == 0, apply.Stderr);
        Assert.Equal(["namespace/shop serverside-applied", "deployment.apps/web serverside-applied", "service/web serverside-applied",
            "deployment.apps/api serverside-applied", "service/api serverside-applied",
            "deployment.apps/shop-blue serverside-applied", "service/shop serverside-applied"], Lines(apply.Stdout));
        Assert.All(_server.Requests.Where(r => r.Method == "PATCH"), r => Assert.Contains("fieldManager=rad", r.Path));
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal($"{_registryAddress}/samples/web@{Digest("samples/web", _commit)}", container["image"]!.GetValue<string>());
        Assert.Equal(8080, container["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal(8080, container["readinessProbe"]!["tcpSocket"]!["port"]!.GetValue<int>());
        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("web", deployment["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("rad", deployment["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal(_commit, deployment["metadata"]!["annotations"]!["rad/commit"]!.GetValue<string>());
        Assert.Equal(_commit, deployment["spec"]!["template"]!["metadata"]!["annotations"]!["rad/commit"]!.GetValue<string>());
        Assert.Equal("NodePort", service["spec"]!["type"]!.GetValue<string>());
        Assert.Equal((30080, 30080, 8080), (service["spec"]!["ports"]![0]!["port"]!.GetValue<int>(), service["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>(),
            service["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>()));
        Assert.Equal("ClusterIP", clusterIp["spec"]!["type"]!.GetValue<string>());
        Assert.Null(clusterIp["spec"]!["ports"]![0]!["nodePort"]);
        // "0.5" and "1" stay strings through rad render's YAML, kubectl and the server.
        var resources = api["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"limits":{"cpu":"1"},"requests":{"cpu":"0.5","memory":"64Mi"}}"""), resources), resources.ToJsonString());
        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", table.Stdout);
        Assert.Matches(@"service/web\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+30080:30080/TCP", table.Stdout);
    }

    [Fact]
    public async Task Kubectl_rollout_status_succeeds_when_the_deployment_becomes_available()
    {
        await ApplyAsync();

        var rollout = await KubectlAsync("rollout", "status", "deployment/web", "--timeout=30s");
        var deployments = await KubectlAsync("get", "deployment", "web");

        Assert.True(rollout.ExitCode == 0, rollout.Stderr);
        Assert.Contains("deployment \"web\" successfully rolled out", rollout.Stdout);
        Assert.Matches(@"web\s+2/2\s+2\s+2\s+", deployments.Stdout);
    }

    [Fact]
    public async Task Kubectl_rollout_status_fails_on_image_pull_back_off_and_the_events_say_why()
    {
        _server.Scenarios["web"] = Scenario.ImagePullBackOff;
        await ApplyAsync();

        var rollout = await KubectlAsync("rollout", "status", "deployment/web", "--timeout=30s");
        var pods = await KubectlAsync("get", "pods", "-l", "app.kubernetes.io/name=web");
        var events = await KubectlAsync("get", "events");

        Assert.Equal(1, rollout.ExitCode);
        Assert.Contains("error: deployment \"web\" exceeded its progress deadline", rollout.Stderr);
        Assert.Equal(2, Regex(@"web-\w+-\w+\s+0/1\s+ImagePullBackOff\s+0\s+").Matches(pods.Stdout).Count);
        Assert.Matches(@"LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE", events.Stdout);
        Assert.Matches(@"Warning\s+Failed\s+pod/web-\S+\s+Failed to pull image """ + System.Text.RegularExpressions.Regex.Escape(_registryAddress), events.Stdout);
    }

    [Fact]
    public async Task Kubectl_rollout_status_fails_when_the_progress_deadline_is_exceeded()
    {
        _server.Scenarios["web"] = Scenario.Stuck;
        await ApplyAsync();

        var rollout = await KubectlAsync("rollout", "status", "deployment/web", "--timeout=30s");
        var deployment = await GetJsonAsync("deployment", "web");

        Assert.Equal(1, rollout.ExitCode);
        Assert.Contains("error: deployment \"web\" exceeded its progress deadline", rollout.Stderr);
        var progressing = deployment["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Progressing")!;
        Assert.Equal(("False", "ProgressDeadlineExceeded"), (progressing["status"]!.GetValue<string>(), progressing["reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Kubectl_delete_removes_what_was_applied()
    {
        await ApplyAsync();

        var deleteDeployment = await KubectlAsync("delete", "deployment", "web", "--timeout=30s");
        var gone = await KubectlAsync("get", "deployment", "web");
        var pods = await KubectlAsync("get", "pods", "-l", "app.kubernetes.io/name=web", "-o", "json");
        var deleteAll = await KubectlAsync("delete", "-f", _manifests, "--ignore-not-found", "--timeout=30s");
        var namespaces = await KubectlAsync("get", "namespaces", "-o", "json");

        Assert.True(deleteDeployment.ExitCode == 0, deleteDeployment.Stderr);
        Assert.Equal("deployment.apps \"web\" deleted", deleteDeployment.Stdout.Trim());
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal("Error from server (NotFound): deployments.apps \"web\" not found", gone.Stderr.Trim());
        Assert.Empty(JsonNode.Parse(pods.Stdout)!["items"]!.AsArray());
        Assert.True(deleteAll.ExitCode == 0, deleteAll.Stderr);
        Assert.Contains("namespace \"shop\" deleted", deleteAll.Stdout);
        Assert.Empty(JsonNode.Parse(namespaces.Stdout)!["items"]!.AsArray());
        Assert.Empty(_server.Store.List(ResourceType.Of("Service"), "shop"));
        Assert.Empty(_server.Store.List(ResourceType.Of("Deployment"), "shop"));
    }

    [Fact]
    public async Task Kubectl_rollout_status_waits_while_the_new_pods_fail_readiness_and_the_old_ones_keep_running()
    {
        await ApplyAsync();
        var first = await KubectlAsync("rollout", "status", "deployment/web", "--timeout=30s");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var rendered = await File.ReadAllTextAsync(_manifests);
        var image = (await GetJsonAsync("deployment", "web"))["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
        var next = image[..^8] + "ffffffff";
        _server.Scenarios[next] = Scenario.Unready;
        var changed = Path.Combine(_dir.FullName, "next.yaml");
        await File.WriteAllTextAsync(changed, rendered.Replace(image, next));

        var apply = await KubectlAsync("apply", "--server-side", "--field-manager=rad", "-f", changed);
        var rollout = await KubectlAsync("rollout", "status", "deployment/web", "--timeout=30s");
        var pods = await KubectlAsync("get", "pods", "-l", "app.kubernetes.io/name=web", "-o", "json");
        var deployment = await GetJsonAsync("deployment", "web");

        Assert.True(apply.ExitCode == 0, apply.Stderr);
        Assert.Equal(1, rollout.ExitCode);
        Assert.Contains("Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have been updated...", rollout.Stdout);
        Assert.Contains("error: deployment \"web\" exceeded its progress deadline", rollout.Stderr);
        var items = JsonNode.Parse(pods.Stdout)!["items"]!.AsArray().Select(p => p!).ToList();
        Assert.Equal(2, items.Count(p => p["spec"]!["containers"]![0]!["image"]!.GetValue<string>() == image && Ready(p)));
        Assert.Equal(1, items.Count(p => p["spec"]!["containers"]![0]!["image"]!.GetValue<string>() == next && !Ready(p)));
        AssertJson("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}}""", deployment["spec"]!["strategy"]);
    }

    [Fact]
    public async Task Kubectl_rolls_out_the_rendered_blue_slot_with_its_probes_and_the_service_routes_to_its_pods()
    {
        _server.Controller.ProgressDeadline = TimeSpan.FromSeconds(10);
        await ApplyAsync();

        var rollout = await KubectlAsync("rollout", "status", "deployment/shop-blue", "--timeout=30s");
        var deployment = await GetJsonAsync("deployment", "shop-blue");
        var service = await GetJsonAsync("service", "shop");
        var pods = await KubectlAsync("get", "pods", "-l", "app.kubernetes.io/name=shop,rad/slot=blue", "-o", "json");
        var slices = await KubectlAsync("get", "endpointslices", "-l", "kubernetes.io/service-name=shop", "-o", "json");

        Assert.True(rollout.ExitCode == 0, rollout.Stderr);
        Assert.Contains("deployment \"shop-blue\" successfully rolled out", rollout.Stdout);
        AssertJson("""{"app.kubernetes.io/name":"shop","rad/slot":"blue"}""", deployment["spec"]!["selector"]!["matchLabels"]);
        AssertJson("""{"app.kubernetes.io/name":"shop","rad/slot":"blue"}""", service["spec"]!["selector"]);
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        AssertJson("""{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"periodSeconds":1,"timeoutSeconds":2,"successThreshold":2,"failureThreshold":3}""",
            container["readinessProbe"]);
        AssertJson("""{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"periodSeconds":1,"timeoutSeconds":2,"successThreshold":1,"failureThreshold":30}""",
            container["livenessProbe"]);
        var podNames = JsonNode.Parse(pods.Stdout)!["items"]!.AsArray().Select(p => p!["metadata"]!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(2, podNames.Count);
        var endpoints = JsonNode.Parse(slices.Stdout)!["items"]!.AsArray().SelectMany(s => s!["endpoints"]!.AsArray())
            .Where(e => e!["conditions"]!["ready"]!.GetValue<bool>()).Select(e => e!["targetRef"]!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(podNames, endpoints);
    }

    /// <summary>Equal as JSON, whatever the order of keys (kubectl sends them sorted).</summary>
    static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, found {actual?.ToJsonString()}");

    static bool Ready(JsonNode pod) =>
        pod["status"]!["conditions"]!.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True");

    async Task ApplyAsync()
    {
        var apply = await KubectlAsync("apply", "--server-side", "--field-manager=rad", "-f", _manifests);
        Assert.True(apply.ExitCode == 0, apply.Stderr);
    }

    async Task<JsonObject> GetJsonAsync(string kind, string name)
    {
        var get = await KubectlAsync("get", kind, name, "-o", "json");
        Assert.True(get.ExitCode == 0, get.Stderr);
        return (JsonObject)JsonNode.Parse(get.Stdout)!;
    }

    Task<(int ExitCode, string Stdout, string Stderr)> KubectlAsync(params string[] arguments) =>
        RunAsync(Kubectl, ["--kubeconfig", Path.Combine(_dir.FullName, "kubeconfig"), "--cache-dir", Path.Combine(_dir.FullName, "cache"), .. arguments]);

    static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not end within 60 s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The one call of the Docker Registry HTTP API that rad render makes (HEAD of a manifest, answered with its digest),
    /// so images are pinned by digest as RAD deploys them; the registry itself is not under test here.
    /// </summary>
    static async Task<(WebApplication, string)> StartRegistryAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapMethods("/v2/{**path}", ["HEAD"], (string path, HttpResponse response) =>
        {
            var at = path.LastIndexOf("/manifests/", StringComparison.Ordinal);
            response.Headers["Docker-Content-Digest"] = Digest(path[..at], path[(at + "/manifests/".Length)..]);
            return Results.Ok();
        });
        await app.StartAsync();
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, $"127.0.0.1:{url.Port}");
    }

    static string Digest(string repository, string tag) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{repository}:{tag}")));

    static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static System.Text.RegularExpressions.Regex Regex(string pattern) => new(pattern);
}
