using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Rad.Kubernetes;

/// <summary>
/// <see cref="IKubernetesApi"/> on KubernetesClient, like client-go's dynamic client: any kind by apiVersion and kind,
/// objects as JsonObject, through the library's CustomObjects operations (with group "" they address the core group at
/// /api/v1) and its watch reader; resource names come from discovery, once per kind. Connection and credentials are the
/// library's, except the server certificate check and exec plugins, where it falls short (see
/// <see cref="ServerCertificateValidation"/>, <see cref="ExecCredentialProvider"/>).
/// </summary>
public sealed class KubernetesDynamicClient : IKubernetesApi
{
    public const string FieldManager = "rad";
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    readonly KubeContext _context;
    readonly ExecCredentialProvider? _exec;
    readonly k8s.Kubernetes _client;
    readonly ConcurrentDictionary<string, (string Plural, bool Namespaced)> _resources = new();

    public KubernetesDynamicClient(KubeContext context, ILogger? logger = null)
    {
        _context = context;
        var (cluster, user) = (context.Cluster, context.User);
        // Not BuildConfigFromConfigObject: it runs an exec plugin while configuring (and its provider runs it again).
        var configuration = new KubernetesClientConfiguration
        {
            Host = cluster.Server,
            Namespace = context.Namespace,
            SkipTlsVerify = cluster.SkipTlsVerify,
            AccessToken = user.Token,
            Username = user.UserName,
            Password = user.Password,
            ClientCertificateData = user.ClientCertificateData,
            ClientCertificateKeyData = user.ClientKeyData,
            TokenProvider = _exec = user.ExternalExecution is { } plugin ? new ExecCredentialProvider(plugin, context.Server, logger) : null,
        };
        try
        {
            if (context.Server.Scheme == "https" && !cluster.SkipTlsVerify)
            {
                X509Certificate2Collection? authorities = null;
                if (cluster.CertificateAuthorityData is { } data)
                    (authorities = []).ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(data)));
                var check = ServerCertificateValidation.For(authorities, cluster.TlsServerName);
                configuration.FirstMessageHandlerSetup = handler => handler.SslOptions.RemoteCertificateValidationCallback = check;
            }
            _client = new k8s.Kubernetes(configuration);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or CryptographicException or FormatException)
        {
            throw new KubeconfigException($"{context}: {e.Message}");
        }
    }

    public async Task<string> VersionAsync(CancellationToken token) =>
        (await SendAsync("GET /version", t => _client.Version.GetCodeAsync(t), token)).GitVersion;

    public async Task<JsonObject> ApplyAsync(JsonObject manifest, CancellationToken token)
    {
        var (apiVersion, kind, ns, name) = (Text(manifest["apiVersion"]), Text(manifest["kind"]), manifest["metadata"]?["namespace"]?.GetValue<string>(), Text(manifest["metadata"]?["name"]));
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        var patch = new V1Patch(manifest, V1Patch.PatchType.ApplyPatch);
        return await SendAsync(Describe("apply", kind, ns, name), t => namespaced
            ? _client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(patch, group, version, ns, plural, name, fieldManager: FieldManager, force: true, cancellationToken: t)
            : _client.CustomObjects.PatchClusterCustomObjectAsync<JsonObject>(patch, group, version, plural, name, fieldManager: FieldManager, force: true, cancellationToken: t), token);
    }

    public async Task<JsonObject?> GetAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token)
    {
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        try
        {
            return await SendAsync(Describe("get", kind, ns, name), t => namespaced
                ? _client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(group, version, ns, plural, name, cancellationToken: t)
                : _client.CustomObjects.GetClusterCustomObjectAsync<JsonObject>(group, version, plural, name, cancellationToken: t), token);
        }
        catch (KubernetesApiException e) when (e.Code == 404)
        {
            return null;
        }
    }

    public async Task<JsonObject> ListAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector, CancellationToken token)
    {
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        return await SendAsync(Describe("list", kind, ns, null), t => namespaced
            ? _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(group, version, ns, plural, fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: t)
            : _client.CustomObjects.ListClusterCustomObjectAsync<JsonObject>(group, version, plural, fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: t), token);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector,
        string resourceVersion, [EnumeratorCancellation] CancellationToken token)
    {
        var what = Describe("watch", kind, ns, null);
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        // The reader hands an ERROR event's Status (410 Gone after compaction, ...) to onError, not to the loop.
        Exception? failure = null;
        await using var changes = (namespaced
            ? _client.CustomObjects.WatchListNamespacedCustomObjectAsync(group, version, ns, plural, allowWatchBookmarks: true, fieldSelector: fieldSelector,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: 300, onError: e => failure ??= e, cancellationToken: token)
            : _client.CustomObjects.WatchListClusterCustomObjectAsync(group, version, plural, allowWatchBookmarks: true, fieldSelector: fieldSelector,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: 300, onError: e => failure ??= e, cancellationToken: token))
            .GetAsyncEnumerator(token);
        while (true)
        {
            try
            {
                if (!await changes.MoveNextAsync())
                    break;
            }
            catch (Exception e) when (Translate(e, what, token) is { } error)
            {
                throw error;
            }
            var (type, item) = changes.Current;
            yield return new WatchEvent(type.ToString().ToUpperInvariant(), item is JsonElement element ? JsonObject.Create(element)! : JsonSerializer.SerializeToNode(item)!.AsObject());
        }
        if (failure is not null)
            throw failure is KubernetesException { Status: { } status } ? KubernetesApiException.From(status, what) : new KubernetesApiException(0, "InvalidWatchEvent", failure.Message, [], what);
    }

    public async Task DeleteAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token)
    {
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        try
        {
            await SendAsync(Describe("delete", kind, ns, name), t => namespaced
                ? _client.CustomObjects.DeleteNamespacedCustomObjectAsync<JsonObject>(group, version, ns, plural, name, propagationPolicy: "Foreground", cancellationToken: t)
                : _client.CustomObjects.DeleteClusterCustomObjectAsync<JsonObject>(group, version, plural, name, propagationPolicy: "Foreground", cancellationToken: t), token);
        }
        catch (KubernetesApiException e) when (e.Code == 404)
        {
        }
    }

    /// <summary>Group, version, plural and scope of a kind, found by discovery (once per group-version).</summary>
    async Task<(string Group, string Version, string Plural, bool Namespaced)> ResourceAsync(string apiVersion, string kind, string? ns, CancellationToken token)
    {
        var slash = apiVersion.LastIndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        if (!_resources.TryGetValue($"{apiVersion}/{kind}", out var known))
        {
            var list = await SendAsync($"discover {apiVersion}", t => _client.CustomObjects.GetAPIResourcesAsync(group, version, cancellationToken: t), token);
            foreach (var resource in list.Resources.Where(r => !r.Name.Contains('/')))
                _resources[$"{apiVersion}/{resource.Kind}"] = (resource.Name, resource.Namespaced);
            if (!_resources.TryGetValue($"{apiVersion}/{kind}", out known))
                throw new KubernetesApiException(404, "NotFound", $"the server has no kind {kind} in {apiVersion}", [], $"discover {apiVersion}");
        }
        return known.Namespaced && ns is null ? throw new ArgumentException($"{kind} is namespaced: give its namespace") : (group, version, known.Plural, known.Namespaced);
    }

    /// <summary>Sends one request within 30 s, turning what goes wrong into a KubernetesApiException that names the resource.</summary>
    async Task<T> SendAsync<T>(string what, Func<CancellationToken, Task<T>> send, CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
            limit.CancelAfter(RequestTimeout);
            try
            {
                return await send(limit.Token);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Unauthorized && _exec is not null && attempt == 0)
            {
                // An exec plugin's token may have been revoked before its expiry: ask the plugin once more.
                _exec.Expire();
            }
            catch (Exception e) when (Translate(e, what, token) is { } error)
            {
                throw error;
            }
        }
    }

    /// <summary>The server's Status (as it answered), an unreachable server, or a request that outlived its deadline; null for anything else.</summary>
    KubernetesApiException? Translate(Exception e, string what, CancellationToken token) => e switch
    {
        HttpOperationException http => KubernetesApiException.From(http.Response.StatusCode, http.Response.Content ?? "", what),
        HttpRequestException => new KubernetesApiException(0, "Unreachable", $"cannot reach the API server at {_context.Server}: {e.Message}", [], what),
        IOException => new KubernetesApiException(0, "Unreachable", $"the connection to the API server at {_context.Server} broke: {e.Message}", [], what),
        OperationCanceledException when !token.IsCancellationRequested =>
            new KubernetesApiException(0, "Timeout", $"the API server at {_context.Server} did not answer within {RequestTimeout.TotalSeconds:0} s", [], what),
        _ => null,
    };

    static string Text(JsonNode? node) => node?.GetValue<string>() ?? throw new ArgumentException("a manifest needs apiVersion, kind and metadata.name");

    static string Describe(string verb, string kind, string? ns, string? name) =>
        $"{verb} {kind}{(name is null && ns is null ? "" : " ")}{(ns is null ? "" : $"{ns}/")}{name}".TrimEnd('/');

    public void Dispose() => _client.Dispose();
}
