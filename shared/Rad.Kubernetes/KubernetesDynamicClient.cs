using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Rad.Kubernetes;

/// <summary>
/// <see cref="IKubernetesApi"/> on KubernetesClient, like client-go's dynamic client: any kind by apiVersion and kind,
/// objects as JsonObject, through the library's CustomObjects operations (with group "" they address the core group at
/// /api/v1) and its watch reader; resource names come from discovery, once per client. TLS and credentials are the
/// library's, configured from the context, except exec plugins (see <see cref="ExecCredentialProvider"/>).
/// </summary>
public sealed class KubernetesDynamicClient : IKubernetesApi
{
    public const string FieldManager = "rad";
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    readonly KubeContext _context;
    readonly ExecCredentialProvider? _exec;
    readonly k8s.Kubernetes _client;
    readonly ConcurrentDictionary<string, (string Plural, bool Namespaced)> _resources = new();

    public KubernetesDynamicClient(KubeContext context)
    {
        _context = context;
        try
        {
            // The library would run an exec plugin while configuring, and again for its first request: RAD's provider runs it once, when needed.
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(context.ToConfiguration(withExec: false));
            // Each request gets its own deadline below; a client-wide timeout would also end long watches.
            configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
            if (context.Server.Scheme == "https" && !configuration.SkipTlsVerify)
            {
                // Without certificate authorities the library leaves the check to the handler, where RAD's goes.
                var check = ServerCertificateValidation.For(configuration.SslCaCerts, context.Cluster.TlsServerName);
                configuration.SslCaCerts = null;
                configuration.FirstMessageHandlerSetup = handler => handler.SslOptions.RemoteCertificateValidationCallback = check;
            }
            if (context.User.ExternalExecution is { } plugin)
                configuration.TokenProvider = _exec = new ExecCredentialProvider(plugin, context.Server);
            _client = new k8s.Kubernetes(configuration);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or CryptographicException or FormatException)
        {
            throw new KubeconfigException($"{context}: {e.Message}");
        }
    }

    public async Task<string> VersionAsync(CancellationToken token) =>
        (await SendAsync("GET /version", t => Body(_client.Version.GetCodeWithHttpMessagesAsync(cancellationToken: t)), token)).GitVersion;

    public async Task<JsonObject> ApplyAsync(JsonObject manifest, CancellationToken token)
    {
        var (apiVersion, kind, ns, name) = Identity(manifest);
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        var patch = new V1Patch(manifest, V1Patch.PatchType.ApplyPatch);
        return await SendAsync(Describe("apply", kind, ns, name), t => Body(namespaced
            ? _client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync<JsonObject>(patch, group, version, ns, plural, name, fieldManager: FieldManager, force: true, cancellationToken: t)
            : _client.CustomObjects.PatchClusterCustomObjectWithHttpMessagesAsync<JsonObject>(patch, group, version, plural, name, fieldManager: FieldManager, force: true, cancellationToken: t)), token);
    }

    public async Task<JsonObject?> GetAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token)
    {
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        try
        {
            return await SendAsync(Describe("get", kind, ns, name), t => Body(namespaced
                ? _client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<JsonObject>(group, version, ns, plural, name, cancellationToken: t)
                : _client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<JsonObject>(group, version, plural, name, cancellationToken: t)), token);
        }
        catch (KubernetesApiException e) when (e.Code == 404)
        {
            return null;
        }
    }

    public async Task<JsonObject> ListAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector, CancellationToken token)
    {
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        return await SendAsync(Describe("list", kind, ns, null), t => Body(namespaced
            ? _client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<JsonObject>(group, version, ns, plural, fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: t)
            : _client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonObject>(group, version, plural, fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: t)), token);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector,
        string resourceVersion, [EnumeratorCancellation] CancellationToken token)
    {
        var what = Describe("watch", kind, ns, null);
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        // The reader hands an ERROR event's Status (410 Gone, after compaction) to onError, not to the loop.
        Exception? failure = null;
        var watch = namespaced
            ? _client.CustomObjects.WatchListNamespacedCustomObjectAsync(group, version, ns, plural, allowWatchBookmarks: true, fieldSelector: fieldSelector,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: 300, onError: e => failure ??= e, cancellationToken: token)
            : _client.CustomObjects.WatchListClusterCustomObjectAsync(group, version, plural, allowWatchBookmarks: true, fieldSelector: fieldSelector,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: 300, onError: e => failure ??= e, cancellationToken: token);
        await using var changes = watch.GetAsyncEnumerator(token);
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
        if (failure is KubernetesException { Status: { } status })
            throw KubernetesApiException.From(status, what);
        if (failure is not null)
            throw new KubernetesApiException(0, "InvalidWatchEvent", failure.Message, [], what);
    }

    public async Task DeleteAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token)
    {
        var (group, version, plural, namespaced) = await ResourceAsync(apiVersion, kind, ns, token);
        try
        {
            await SendAsync(Describe("delete", kind, ns, name), t => Body(namespaced
                ? _client.CustomObjects.DeleteNamespacedCustomObjectWithHttpMessagesAsync<JsonObject>(group, version, ns, plural, name, propagationPolicy: "Foreground", cancellationToken: t)
                : _client.CustomObjects.DeleteClusterCustomObjectWithHttpMessagesAsync<JsonObject>(group, version, plural, name, propagationPolicy: "Foreground", cancellationToken: t)), token);
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
        var key = $"{apiVersion}/{kind}";
        if (!_resources.TryGetValue(key, out var known))
        {
            var what = $"discover {apiVersion}";
            var list = await SendAsync(what, t => Body(_client.CustomObjects.GetAPIResourcesWithHttpMessagesAsync(group, version, cancellationToken: t)), token);
            foreach (var resource in list.Resources.Where(r => !r.Name.Contains('/')))
                _resources[$"{apiVersion}/{resource.Kind}"] = (resource.Name, resource.Namespaced);
            if (!_resources.TryGetValue(key, out known))
                throw new KubernetesApiException(404, "NotFound", $"the server has no kind {kind} in {apiVersion}", [], what);
        }
        if (known.Namespaced && ns is null)
            throw new ArgumentException($"{kind} is namespaced: give its namespace");
        return (group, version, known.Plural, known.Namespaced);
    }

    /// <summary>Sends one request (30 s unless it is a watch) and turns what goes wrong into a KubernetesApiException naming the resource.</summary>
    async Task<T> SendAsync<T>(string what, Func<CancellationToken, Task<T>> send, CancellationToken token, bool timeout = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (timeout)
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
        HttpOperationException http => KubernetesApiException.From(http.Response.StatusCode, http.Response.Content, what),
        HttpRequestException => new KubernetesApiException(0, "Unreachable", $"cannot reach the API server at {_context.Server}: {e.Message}", [], what),
        OperationCanceledException when !token.IsCancellationRequested =>
            new KubernetesApiException(0, "Timeout", $"the API server at {_context.Server} did not answer within {RequestTimeout.TotalSeconds:0} s", [], what),
        _ => null,
    };

    static async Task<T> Body<T>(Task<HttpOperationResponse<T>> request)
    {
        using var response = await request;
        return response.Body;
    }

    static (string ApiVersion, string Kind, string? Namespace, string Name) Identity(JsonObject manifest) =>
        (manifest["apiVersion"]?.GetValue<string>() ?? throw new ArgumentException("manifest without apiVersion"),
         manifest["kind"]?.GetValue<string>() ?? throw new ArgumentException("manifest without kind"),
         manifest["metadata"]?["namespace"]?.GetValue<string>(),
         manifest["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("manifest without metadata.name"));

    static string Describe(string verb, string kind, string? ns, string? name) =>
        $"{verb} {kind}{(name is null && ns is null ? "" : " ")}{(ns is null ? "" : $"{ns}/")}{name}".TrimEnd('/');

    public void Dispose() => _client.Dispose();
}
