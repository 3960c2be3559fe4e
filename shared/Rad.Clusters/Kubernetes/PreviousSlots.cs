using System.Globalization;
using System.Text.Json.Nodes;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// Deletes the blue-green slots kept past their time: a Service that selects one slot and whose
/// rad/keep-previous-until has passed loses the other slot's Deployment. Run before every deployment to the namespace
/// and by <see cref="PreviousSlotSweeper"/> every minute.
/// </summary>
public static class PreviousSlots
{
    /// <summary>The Deployments it deleted.</summary>
    public static async Task<IReadOnlyList<string>> SweepAsync(IKubernetesApi client, string ns, DateTimeOffset now, ILogger logger, CancellationToken token)
    {
        var deleted = new List<string>();
        var services = await client.ListAsync("v1", "Service", ns, $"{Manifests.ManagedByLabel}=rad", null, token);
        foreach (var service in (services["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (service["spec"]?["selector"]?[Manifests.SlotLabel]?.GetValue<string>() is not { } active
                || service["metadata"]?["annotations"]?[Manifests.KeepPreviousUntilAnnotation]?.GetValue<string>() is not { } text
                || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until)
                || until > now)
                continue;
            var application = service["metadata"]?["labels"]?[Manifests.NameLabel]?.GetValue<string>() ?? service["metadata"]!["name"]!.GetValue<string>();
            var previous = Manifests.DeploymentName(application, Manifests.OtherSlot(active));
            if (await client.GetAsync("apps/v1", "Deployment", ns, previous, token) is null)
                continue;
            await client.DeleteAsync("apps/v1", "Deployment", ns, previous, token);
            logger.LogInformation("Deleted Deployment {Namespace}/{Deployment}: the previous blue-green slot of {Application}, kept until {Until}", ns, previous, application, text);
            deleted.Add(previous);
        }
        return deleted;
    }
}
