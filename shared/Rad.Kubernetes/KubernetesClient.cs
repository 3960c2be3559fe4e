using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Rad.Kubernetes;

/// <summary>
/// <see cref="IKubernetesApi"/> over HttpClient: TLS as the kubeconfig says (CA, client certificate, skip-verify,
/// server name), bearer/basic/exec-plugin authentication, discovery of resource names, JSON in and out.
/// </summary>
public sealed class KubernetesClient : IKubernetesApi
{
    public const string FieldManager = "rad";
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    readonly HttpClient _http;
    readonly KubeContext _context;
    readonly ExecCredentials? _exec;
    readonly ConcurrentDictionary<string, (string Plural, bool Namespaced)> _resources = new();

    public KubernetesClient(KubeContext context)
    {
        _context = context;
        _exec = context.Exec is { } plugin ? new ExecCredentials(plugin, context.Server) : null;
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60), ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (context.TlsServerName is not null)
            handler.SslOptions.TargetHost = context.TlsServerName;
        if (context.ClientCertificate is not null)
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(context.ClientCertificate), Encoding.UTF8.GetString(context.ClientKey!))];
        handler.SslOptions.RemoteCertificateValidationCallback = Validator(context);
        _http = new HttpClient(handler) { BaseAddress = context.Server, Timeout = Timeout.InfiniteTimeSpan };
    }

    static RemoteCertificateValidationCallback Validator(KubeContext context)
    {
        if (context.InsecureSkipTlsVerify)
            return (_, _, _, _) => true;
        if (context.CertificateAuthority is null)
            return (_, _, _, errors) => errors == SslPolicyErrors.None;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(Encoding.UTF8.GetString(context.CertificateAuthority));
        return (_, certificate, _, errors) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
    }

    public async Task<JsonObject> VersionAsync(CancellationToken token) =>
        await SendAsync(HttpMethod.Get, "/version", null, null, "GET /version", token) ?? new JsonObject();

    public async Task<JsonObject> ApplyAsync(JsonObject manifest, CancellationToken token)
    {
        var (apiVersion, kind, ns, name) = Identity(manifest);
        var path = await ObjectPathAsync(apiVersion, kind, ns, name, token);
        var body = new StringContent(manifest.ToJsonString(), Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        return (await SendAsync(HttpMethod.Patch, $"{path}?fieldManager={FieldManager}&force=true", body, null, Describe("apply", kind, ns, name), token))!;
    }

    public async Task<JsonObject?> GetAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, await ObjectPathAsync(apiVersion, kind, ns, name, token), null, null, Describe("get", kind, ns, name), token);
        }
        catch (KubernetesApiException e) when (e.Code == 404)
        {
            return null;
        }
    }

    public async Task<JsonObject> ListAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector, CancellationToken token)
    {
        var path = await CollectionPathAsync(apiVersion, kind, ns, token) + Query(("labelSelector", labelSelector), ("fieldSelector", fieldSelector));
        return (await SendAsync(HttpMethod.Get, path, null, null, Describe("list", kind, ns, null), token))!;
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string apiVersion, string kind, string? ns, string? labelSelector, string? fieldSelector,
        string resourceVersion, [EnumeratorCancellation] CancellationToken token)
    {
        var what = Describe("watch", kind, ns, null);
        var path = await CollectionPathAsync(apiVersion, kind, ns, token) + Query(("watch", "1"), ("resourceVersion", resourceVersion),
            ("allowWatchBookmarks", "true"), ("timeoutSeconds", "300"), ("labelSelector", labelSelector), ("fieldSelector", fieldSelector));
        using var response = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, what, token);
        await using var stream = await response.Content.ReadAsStreamAsync(token);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line) || JsonNode.Parse(line) is not JsonObject change)
                continue;
            var type = change["type"]?.GetValue<string>() ?? "";
            var item = change["object"] as JsonObject ?? new JsonObject();
            if (type == "ERROR")
                throw KubernetesApiException.FromStatus(item, 500, line, what);
            yield return new WatchEvent(type, item);
        }
    }

    public async Task DeleteAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token)
    {
        var options = new StringContent("""{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground"}""", Encoding.UTF8, "application/json");
        try
        {
            await SendAsync(HttpMethod.Delete, await ObjectPathAsync(apiVersion, kind, ns, name, token), options, null, Describe("delete", kind, ns, name), token);
        }
        catch (KubernetesApiException e) when (e.Code == 404)
        {
        }
    }

    /// <summary>Where objects of a kind live: /api/v1/namespaces/NS/pods, /apis/apps/v1/deployments, ... found by discovery, once.</summary>
    async Task<string> CollectionPathAsync(string apiVersion, string kind, string? ns, CancellationToken token)
    {
        var (plural, namespaced) = await ResourceAsync(apiVersion, kind, token);
        var root = apiVersion == "v1" ? "/api/v1" : $"/apis/{apiVersion}";
        if (!namespaced)
            return $"{root}/{plural}";
        return ns is null ? $"{root}/{plural}" : $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{plural}";
    }

    async Task<string> ObjectPathAsync(string apiVersion, string kind, string? ns, string name, CancellationToken token) =>
        $"{await CollectionPathAsync(apiVersion, kind, ns, token)}/{Uri.EscapeDataString(name)}";

    async Task<(string Plural, bool Namespaced)> ResourceAsync(string apiVersion, string kind, CancellationToken token)
    {
        var key = $"{apiVersion}/{kind}";
        if (_resources.TryGetValue(key, out var known))
            return known;
        var discovery = await SendAsync(HttpMethod.Get, apiVersion == "v1" ? "/api/v1" : $"/apis/{apiVersion}", null, null,
            $"discover {apiVersion}", token);
        foreach (var resource in (discovery?["resources"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = resource["name"]?.GetValue<string>() ?? "";
            if (!name.Contains('/'))
                _resources[$"{apiVersion}/{resource["kind"]?.GetValue<string>()}"] = (name, resource["namespaced"]?.GetValue<bool>() ?? false);
        }
        return _resources.TryGetValue(key, out known) ? known
            : throw new KubernetesApiException(404, "NotFound", $"the server has no kind {kind} in {apiVersion}", [], $"discover {apiVersion}");
    }

    async Task<JsonObject?> SendAsync(HttpMethod method, string path, HttpContent? content, string? accept, string what, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendRawAsync(method, path, content, HttpCompletionOption.ResponseContentRead, what, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
    }

    async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, HttpCompletionOption completion, string what,
        CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Accept.ParseAdd("application/json");
            await AuthenticateAsync(request, refresh: attempt > 0, token);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, completion, token);
            }
            catch (HttpRequestException e)
            {
                throw new KubernetesApiException(0, "Unreachable", $"cannot reach the API server at {_context.Server}: {e.Message}", [], what);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new KubernetesApiException(0, "Timeout", $"the API server at {_context.Server} did not answer", [], what);
            }
            if (response.IsSuccessStatusCode)
                return response;
            // An exec plugin's token may have been revoked before its expiry: ask the plugin once more.
            if (response.StatusCode == HttpStatusCode.Unauthorized && _exec is not null && attempt == 0 && content is null)
            {
                response.Dispose();
                continue;
            }
            using (response)
                throw KubernetesApiException.From(response.StatusCode, await response.Content.ReadAsStringAsync(token), what);
        }
    }

    async Task AuthenticateAsync(HttpRequestMessage request, bool refresh, CancellationToken token)
    {
        if (_exec is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _exec.TokenAsync(refresh, token));
        else if (_context.Token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _context.Token);
        else if (_context.Username is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_context.Username}:{_context.Password}")));
    }

    static (string ApiVersion, string Kind, string? Namespace, string Name) Identity(JsonObject manifest) =>
        (manifest["apiVersion"]?.GetValue<string>() ?? throw new ArgumentException("manifest without apiVersion"),
         manifest["kind"]?.GetValue<string>() ?? throw new ArgumentException("manifest without kind"),
         manifest["metadata"]?["namespace"]?.GetValue<string>(),
         manifest["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("manifest without metadata.name"));

    public static string Describe(string verb, string kind, string? ns, string? name) =>
        $"{verb} {kind}{(name is null && ns is null ? "" : " ")}{(ns is null ? "" : $"{ns}/")}{name}".TrimEnd('/');

    static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    public void Dispose() => _http.Dispose();
}
