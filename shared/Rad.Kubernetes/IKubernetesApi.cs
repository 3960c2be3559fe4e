using System.Text.Json.Nodes;

namespace Rad.Kubernetes;

/// <summary>One change seen by a watch: ADDED, MODIFIED, DELETED, BOOKMARK (only a resourceVersion) or ERROR (a Status).</summary>
public sealed record WatchEvent(string Type, JsonObject Object);

/// <summary>
/// Everything RAD asks of a Kubernetes API server, and nothing more: a dynamic client (objects as JsonObject, any kind),
/// implemented on KubernetesClient by <see cref="KubernetesDynamicClient"/>. Objects are addressed by apiVersion, kind,
/// namespace (null for cluster-scoped kinds) and name.
/// </summary>
public interface IKubernetesApi : IDisposable
{
    /// <summary>GET /version (its gitVersion): proves the server answers and the credentials are accepted.</summary>
    Task<string> VersionAsync(CancellationToken token);

    /// <summary>Server-side apply with field manager "rad" (PATCH, application/apply-patch+yaml, force): creates or updates the object.</summary>
    Task<JsonObject> ApplyAsync(JsonObject manifest, CancellationToken token);

    /// <summary>The object, or null when it does not exist.</summary>
    Task<JsonObject?> GetAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token);

    /// <summary>A list (its items and metadata.resourceVersion, the point to watch from).</summary>
    Task<JsonObject> ListAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector, CancellationToken token);

    /// <summary>
    /// Changes after <paramref name="resourceVersion"/>, with bookmarks, until the server ends the watch (its
    /// timeout) or the token is cancelled. A resourceVersion too old to watch from throws KubernetesApiException 410
    /// (Gone): list again and watch from the list's resourceVersion.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector,
        string resourceVersion, CancellationToken token);

    /// <summary>Deletes the object (foreground: its dependents go first); absent already is fine.</summary>
    Task DeleteAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token);
}
