using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Rad.FakeKubernetes;
using Rad.IntegrationTests.Isolated;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>The test's own RAD whose cluster provisioner waits for a Cluster API cluster in steps of 1 s.</summary>
public sealed class ShortStepRad : IsolatedRad
{
    protected override void Configure(IDictionary<string, string> environment) => environment["Rad__ClusterApi__StepDuration"] = "00:00:01";
}

/// <summary>
/// Issue 12, item 15: creating a cluster through Cluster API took up to 45 min inside one consumer, while RabbitMQ
/// closes the channel of a consumer that holds a message past its consumer_timeout (30 min) and redelivers it, which
/// would start the wait over. The wait is made of short steps, each a message of its own. The management cluster is
/// the fake API server (its Cluster API controller takes 6 s here), started by the test on 127.0.0.1.
/// </summary>
public sealed partial class HostileClusterProvisioningStepsTests(ShortStepRad rad, ITestOutputHelper output) : IClassFixture<ShortStepRad>, IAsyncLifetime
{
    const string Template = """
        apiVersion: cluster.x-k8s.io/v1beta1
        kind: Cluster
        metadata:
          name: ${CLUSTER_NAME}
        spec:
          clusterNetwork:
            pods:
              cidrBlocks: ["192.168.0.0/16"]
        """;

    FakeKubernetesServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _server.ClusterApi.Step = TimeSpan.FromSeconds(2);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_cluster_that_takes_long_to_create_is_waited_for_in_short_steps_and_then_deployed_to()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (management, cluster, app) = ($"mgmt-{suffix}", $"capi-{suffix}", $"capi-app-{suffix}");
        await PostAsync("/api/clusters", new { name = management, kubeconfig = _server.Kubeconfig("capi-system") });
        await PostAsync("/api/clusters", new { name = cluster, provider = "cluster-api", management, template = Template, @namespace = "apps" });
        var repository = await rad.PublishRepoAsync(app, Repos.WebApp(app, IsolatedRad.FreeApplicationPort(), registry: rad.Registry));

        using var response = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/deployments"), new { repository, @ref = "main", cluster });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<Accepted>())!.Id;
        var ended = await rad.WaitForEndAsync(id, TimeSpan.FromSeconds(90));

        Assert.True(ended.State == "Succeeded", $"{ended.State}: {ended.Error}\n{await rad.LogAsync(id)}");
        Assert.Equal("created, namespace apps", ended.Stages.Single(s => s.Name == StageNames.Cluster(cluster)).Message);
        var steps = StepLine().Matches(rad.ProcessLog("cluster-provisioner")).Where(m => m.Groups["id"].Value == id.ToString()).ToList();
        output.WriteLine(string.Join('\n', steps.Select(m => m.Value)));
        Assert.True(steps.Count >= 3, $"provisioning went on in {steps.Count} new step(s); a 6 s creation in steps of 1 s takes at least 3");
        // Each step waits 1 s at most; the first also applies the template's objects with a client not yet warm.
        Assert.All(steps, m => Assert.True(double.Parse(m.Groups["seconds"].Value, CultureInfo.InvariantCulture) < 6, $"a step took too long: {m.Value}"));
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)), steps.Select(m => m.Groups["step"].Value));
        Assert.NotNull(_server.Store.Get(ResourceType.Of("Deployment"), "apps", app));
        // The image it built stays in the engine under this RAD's registry; the Swarm clean-up does not know it.
        await Stack.RunAsync("docker", "image", "rm", "-f", $"{rad.Registry}/{app}:{ended.Commit}");
    }

    async Task PostAsync(string path, object body)
    {
        using var answer = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, path), body);
        Assert.True(answer.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    sealed record Accepted(Guid Id);

    [GeneratedRegex(@"still provisioning for deployment (?<id>[0-9a-f-]{36}) after step (?<step>[0-9]+) \((?<seconds>[0-9.]+) s, [0-9]+ s in all\); it goes on in a new step")]
    private static partial Regex StepLine();
}
