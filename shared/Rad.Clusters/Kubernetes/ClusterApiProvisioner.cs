using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

public sealed class ClusterApiOptions
{
    public const string Section = "Rad:ClusterApi";

    /// <summary>How long a workload cluster may take to be provisioned (the original RAD's took 1740 s).</summary>
    public TimeSpan ProvisionTimeout { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>How often progress is reported while nothing changes.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one step of the wait may take: a consumer holds its message no longer than this, far below RabbitMQ's
    /// consumer_timeout (30 min), and a creation that takes longer goes on in another step.
    /// </summary>
    public TimeSpan StepDuration { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Creates a workload cluster through Cluster API, like the original RAD: applies the template's objects in the
/// management cluster, watches the Cluster until it is Provisioned with its control plane ready (reporting phase and
/// elapsed time as it goes), reads the &lt;name&gt;-kubeconfig Secret, and records the new cluster's connection. The wait
/// (up to ProvisionTimeout, tens of minutes) is made of steps of at most StepDuration, each its own call.
/// </summary>
public sealed class ClusterApiProvisioner(ClusterRegistry registry, IKubernetesClientFactory clients, IOptions<ClusterApiOptions> options, ILogger<ClusterApiProvisioner> logger)
{
    /// <summary>Provisions the cluster in one call, step after step: for callers that may wait as long as it takes.</summary>
    public async Task<RegisteredCluster> ProvisionAsync(RegisteredCluster cluster, Func<string, TimeSpan, Task> progress, CancellationToken token)
    {
        var since = DateTimeOffset.UtcNow;
        for (var first = true; ; first = false)
            if (await StepAsync(cluster, first ? null : since, progress, token) is { } provisioned)
                return provisioned;
    }

    /// <summary>
    /// One step of provisioning: the first (<paramref name="since"/> null) applies the template's objects; every step
    /// then watches the Cluster for at most StepDuration. Returns the provisioned cluster, or null when it still
    /// provisions and another step must follow. Throws ClusterProvisioningException when it failed or ran out of time.
    /// </summary>
    public async Task<RegisteredCluster?> StepAsync(RegisteredCluster cluster, DateTimeOffset? since, Func<string, TimeSpan, Task> progress, CancellationToken token)
    {
        var definition = cluster.ClusterApi!;
        var management = await registry.FindAsync(definition.Management, token);
        if (management is not { Kind: RegisteredCluster.KubernetesKind })
            throw new ClusterProvisioningException($"{cluster}: its management cluster '{definition.Management}' is not a registered Kubernetes cluster");
        var started = since ?? DateTimeOffset.UtcNow;
        TimeSpan Elapsed() => DateTimeOffset.UtcNow - started;
        var timeout = options.Value.ProvisionTimeout;
        if (Elapsed() >= timeout)
            throw new ClusterProvisioningException($"{cluster}: not provisioned within {timeout.TotalMinutes:0} min");
        try
        {
            using var api = clients.Connect(management);
            if (since is null)
            {
                var objects = ClusterTemplate.Render(definition.Template, cluster.Name, management.Namespace, definition.Variables);
                await api.ApplyAsync(Manifests.Namespace(management.Namespace), token);
                foreach (var obj in objects)
                    await api.ApplyAsync(obj, token);
                logger.LogInformation("Applied {Count} Cluster API object(s) for {Cluster} in {Management}; waiting for it to be provisioned", objects.Count, cluster.Name, management);
            }

            using var step = CancellationTokenSource.CreateLinkedTokenSource(token);
            var remaining = timeout - Elapsed();
            step.CancelAfter(remaining < options.Value.StepDuration ? remaining : options.Value.StepDuration);
            try
            {
                await WaitProvisionedAsync(api, management.Namespace, cluster.Name, Elapsed, progress, step.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                if (Elapsed() >= timeout)
                    throw new ClusterProvisioningException($"{cluster}: not provisioned within {timeout.TotalMinutes:0} min");
                return null;
            }
            var secret = await api.GetAsync("v1", "Secret", management.Namespace, $"{cluster.Name}-kubeconfig", token)
                         ?? throw new ClusterProvisioningException($"{cluster}: Provisioned, but its Secret {management.Namespace}/{cluster.Name}-kubeconfig does not exist");
            var kubeconfig = Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]?["value"]?.GetValue<string>() ?? ""));
            var context = Kubeconfig.Load(kubeconfig);
            await registry.MarkProvisionedAsync(cluster.Name, context, token);
            logger.LogInformation("{Cluster} is provisioned after {Elapsed:0} s", cluster.Name, Elapsed().TotalSeconds);
            return (await registry.FindAsync(cluster.Name, token))!;
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException or ClusterTemplate.TemplateException or FormatException)
        {
            throw new ClusterProvisioningException($"{cluster}: {e.Message}");
        }
    }

    /// <summary>Watches the Cluster (list, then watch from its resourceVersion; re-list after 410) and reports each phase and a heartbeat.</summary>
    async Task WaitProvisionedAsync(IKubernetesApi api, string ns, string name, Func<TimeSpan> elapsed, Func<string, TimeSpan, Task> progress, CancellationToken token)
    {
        var phase = "";
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            var list = await api.ListAsync("cluster.x-k8s.io/v1beta1", "Cluster", ns, null, $"metadata.name={name}", token);
            var version = list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "0";
            var seen = (list["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            try
            {
                while (true)
                {
                    foreach (var cluster in seen)
                    {
                        var now = cluster["status"]?["phase"]?.GetValue<string>() ?? "Pending";
                        if (now == "Failed")
                            throw new ClusterProvisioningException(
                                $"Cluster {ns}/{name} failed: {cluster["status"]?["failureReason"]?.GetValue<string>()}: {cluster["status"]?["failureMessage"]?.GetValue<string>()}");
                        if (now == "Provisioned" && cluster["status"]?["controlPlaneReady"]?.GetValue<bool>() == true)
                        {
                            await progress(now, elapsed());
                            return;
                        }
                        if (now != phase || elapsed() - lastReport >= options.Value.ProgressInterval)
                        {
                            (phase, lastReport) = (now, elapsed());
                            await progress(now, elapsed());
                        }
                    }
                    seen.Clear();
                    using var beat = CancellationTokenSource.CreateLinkedTokenSource(token);
                    beat.CancelAfter(options.Value.ProgressInterval);
                    try
                    {
                        await foreach (var change in api.WatchAsync("cluster.x-k8s.io/v1beta1", "Cluster", ns, null, $"metadata.name={name}", version, beat.Token))
                        {
                            version = change.Object["metadata"]?["resourceVersion"]?.GetValue<string>() ?? version;
                            if (change.Type is "ADDED" or "MODIFIED")
                            {
                                seen.Add(change.Object);
                                break;
                            }
                        }
                    }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested)
                    {
                        // Nothing changed for a while: report that it still waits.
                        await progress(phase.Length == 0 ? "Pending" : phase, elapsed());
                        lastReport = elapsed();
                    }
                }
            }
            catch (KubernetesApiException e) when (e.Code == 410)
            {
            }
        }
    }
}
