using System.Text.Json.Nodes;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// What runs for one application in a namespace before a deployment changes it: its Service and its Deployments by
/// role (the main one NAME, also what an earlier RAD created; the blue-green slots; a canary).
/// </summary>
public sealed record ApplicationObjects(JsonObject? Service, JsonObject? Main, JsonObject? Blue, JsonObject? Green, JsonObject? Canary)
{
    public static async Task<ApplicationObjects> ReadAsync(IKubernetesApi client, string ns, string application, CancellationToken token)
    {
        var service = await client.GetAsync("v1", "Service", ns, application, token);
        var list = await client.ListAsync("apps/v1", "Deployment", ns, $"{Manifests.NameLabel}={application},{Manifests.ManagedByLabel}=rad", null, token);
        var deployments = (list["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        JsonObject? Named(string? slot) =>
            deployments.FirstOrDefault(d => d["metadata"]?["name"]?.GetValue<string>() == Manifests.DeploymentName(application, slot));
        return new ApplicationObjects(service, Named(null), Named(Manifests.Blue), Named(Manifests.Green), Named(Manifests.Canary));
    }

    /// <summary>The blue-green slot the Service sends traffic to; null when it selects all of the application's pods (or there is no Service).</summary>
    public string? ActiveSlot => Service?["spec"]?["selector"]?[Manifests.SlotLabel]?.GetValue<string>();

    public JsonObject? Slot(string? slot) => slot switch
    {
        null => Main,
        Manifests.Blue => Blue,
        Manifests.Green => Green,
        Manifests.Canary => Canary,
        _ => null,
    };

    public static string? Image(JsonObject? deployment) =>
        deployment?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.GetValue<string>();

    public static int Replicas(JsonObject? deployment) => deployment?["spec"]?["replicas"]?.GetValue<int>() ?? 0;

    public static string Name(JsonObject deployment) => deployment["metadata"]!["name"]!.GetValue<string>();

    /// <summary>
    /// The Deployment as RAD applies it, with <paramref name="replicas"/>: its spec as it is (so its pod template, and
    /// with it its pods, stay as they are) and only the labels and RAD's annotation of its metadata.
    /// </summary>
    public static JsonObject Scaled(JsonObject deployment, int replicas)
    {
        var metadata = deployment["metadata"]!;
        var spec = (JsonObject)deployment["spec"]!.DeepClone();
        spec["replicas"] = replicas;
        var annotations = new JsonObject();
        if (metadata["annotations"]?[Manifests.CommitAnnotation] is { } commit)
            annotations[Manifests.CommitAnnotation] = commit.DeepClone();
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]!.DeepClone(),
                ["namespace"] = metadata["namespace"]!.DeepClone(),
                ["labels"] = metadata["labels"]?.DeepClone() ?? new JsonObject(),
                ["annotations"] = annotations,
            },
            ["spec"] = spec,
        };
    }
}
