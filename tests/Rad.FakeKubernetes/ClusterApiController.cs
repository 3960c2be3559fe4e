using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Rad.FakeKubernetes;

/// <summary>
/// Plays Cluster API's controllers for a Cluster (cluster.x-k8s.io/v1beta1): phase Pending, then Provisioning, then
/// Provisioned with infrastructureReady, controlPlaneReady and the Ready condition, and the workload cluster's admin
/// kubeconfig in the Secret &lt;name&gt;-kubeconfig (type cluster.x-k8s.io/secret, key "value"), as the CAPI book
/// describes. The workload cluster it hands out is this same fake server.
/// </summary>
public sealed class ClusterApiController(ObjectStore store, Func<string> kubeconfig) : IDisposable
{
    static readonly ResourceType Clusters = ResourceType.All.First(r => r.Kind == "Cluster");
    static readonly ResourceType Secrets = ResourceType.All.First(r => r.Kind == "Secret");
    readonly CancellationTokenSource _stop = new();

    public TimeSpan Step { get; set; } = TimeSpan.FromMilliseconds(700);

    /// <summary>Clusters (by name) whose infrastructure fails: phase Failed with a failureMessage.</summary>
    public HashSet<string> Failing { get; } = [];

    public void Reconcile(JsonObject cluster)
    {
        if (cluster["status"]?["phase"] is not null)
            return;
        _ = Task.Run(() => PlayAsync(cluster["metadata"]!["namespace"]!.GetValue<string>(), cluster["metadata"]!["name"]!.GetValue<string>()));
    }

    async Task PlayAsync(string ns, string name)
    {
        try
        {
            Update(ns, name, "Pending", false, false);
            await Task.Delay(Step, _stop.Token);
            Update(ns, name, "Provisioning", true, false);
            await Task.Delay(Step, _stop.Token);
            if (Failing.Contains(name))
            {
                Update(ns, name, "Failed", true, false, "Failure detected from referenced resource infrastructure.cluster.x-k8s.io/v1beta1, Kind=DockerCluster: failed to create load balancer");
                return;
            }
            await Task.Delay(Step, _stop.Token);
            store.Put(Secrets, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{name}-kubeconfig", ["namespace"] = ns,
                    ["labels"] = new JsonObject { ["cluster.x-k8s.io/cluster-name"] = name },
                },
                ["type"] = "cluster.x-k8s.io/secret",
                ["data"] = new JsonObject { ["value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig())) },
            }, "ADDED");
            Update(ns, name, "Provisioned", true, true);
        }
        catch (OperationCanceledException)
        {
        }
    }

    void Update(string ns, string name, string phase, bool infrastructure, bool controlPlane, string? failure = null)
    {
        var cluster = store.Get(Clusters, ns, name);
        if (cluster is null)
            return;
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["infrastructureReady"] = infrastructure,
            ["controlPlaneReady"] = controlPlane,
            ["observedGeneration"] = cluster["metadata"]!["generation"]?.DeepClone(),
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Ready", ["status"] = controlPlane ? "True" : "False", ["lastTransitionTime"] = now,
                ["reason"] = controlPlane ? null : infrastructure ? "WaitingForControlPlane" : "WaitingForInfrastructure",
            }),
        };
        if (failure is not null)
        {
            status["failureReason"] = "InvalidConfiguration";
            status["failureMessage"] = failure;
        }
        cluster["status"] = status;
        store.Put(Clusters, cluster, "MODIFIED");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
