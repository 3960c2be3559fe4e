using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rad.Kubernetes;

namespace Rad.FakeKubernetes;

/// <summary>
/// An in-process Kubernetes API server for tests: the REST paths and verbs of the real one for the kinds in
/// <see cref="ResourceType.All"/>, discovery, server-side apply (application/apply-patch+yaml with a fieldManager),
/// resourceVersion and generation, list and watch (with bookmarks, and 410 Gone after compaction), label selectors with
/// equality, inequality and existence terms, metav1.Status errors (401, 403, 404, 409, 415, 422 with causes),
/// bearer-token authentication, a deployment controller that rolls Deployments out by their strategy and plays out
/// <see cref="Scenario"/>s, and an EndpointSlice controller. Built from the Kubernetes API reference, not from RAD's client.
/// </summary>
public sealed class FakeKubernetesServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly DeploymentController _controller;
    readonly EndpointSliceController _endpoints;

    FakeKubernetesServer(WebApplication app, ObjectStore store, DeploymentController controller)
    {
        _app = app;
        Store = store;
        _controller = controller;
        _endpoints = new EndpointSliceController(store, controller.Tick);
        ClusterApi = new ClusterApiController(store, () => Kubeconfig());
    }

    /// <summary>The deployment controller and kubelet: their pace, the progress deadline and the scenarios of new pods.</summary>
    public DeploymentController Controller => _controller;

    /// <summary>Cluster API's controllers: Clusters applied here get provisioned (as this same server).</summary>
    public ClusterApiController ClusterApi { get; }

    public ObjectStore Store { get; }
    public Uri Url { get; private set; } = null!;

    /// <summary>The bearer token requests must carry; null accepts anonymous requests.</summary>
    public string? Token { get; set; } = "fake-token-" + Guid.NewGuid().ToString("N");

    /// <summary>Namespaces where the token may read but not write (403 Forbidden).</summary>
    public ConcurrentDictionary<string, bool> ForbiddenNamespaces { get; } = new();

    /// <summary>Every request: method, path with query, and content type.</summary>
    public ConcurrentQueue<(string Method, string Path, string? ContentType)> Requests { get; } = new();

    /// <summary>What happens to new pods, by image reference or application name (see <see cref="DeploymentController.Scenarios"/>).</summary>
    public ConcurrentDictionary<string, Scenario> Scenarios => _controller.Scenarios;

    /// <summary>
    /// Starts the server on 127.0.0.1 (a free port): plain HTTP, or HTTPS with <paramref name="serverCertificate"/>;
    /// with <paramref name="clientCa"/>, TLS clients must present a certificate that CA issued (and need no token).
    /// </summary>
    public static async Task<FakeKubernetesServer> StartAsync(X509Certificate2? serverCertificate = null, X509Certificate2? clientCa = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (serverCertificate is null)
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        else
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                if (clientCa is null)
                    return;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => IssuedBy(certificate, clientCa);
            })));
        var store = new ObjectStore();
        var controller = new DeploymentController(store);
        var app = builder.Build();
        var server = new FakeKubernetesServer(app, store, controller);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.ClientCa = clientCa;
        return server;
    }

    X509Certificate2? ClientCa { get; set; }

    /// <summary>PEM of the certificate that signed the server's own (for the kubeconfig's certificate-authority-data); null over plain HTTP.</summary>
    public string? CertificateAuthorityPem { get; private set; }

    /// <summary>
    /// Starts the server on HTTPS with a self-signed certificate for 127.0.0.1, which <see cref="Kubeconfig"/> then
    /// trusts. Real clients need this: kubectl, like client-go, sends no bearer token over plain HTTP.
    /// </summary>
    public static async Task<FakeKubernetesServer> StartHttpsAsync()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new CertificateRequest("CN=kube-apiserver", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var server = await StartAsync(certificate);
        server.CertificateAuthorityPem = certificate.ExportCertificatePem();
        return server;
    }

    static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>A kubeconfig that reaches this server with its token, context "fake", namespace <paramref name="ns"/>.</summary>
    public string Kubeconfig(string ns = "default", string? token = null) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster:
            server: {Url.ToString().TrimEnd('/')}{(CertificateAuthorityPem is null ? "" : $"\n    certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(CertificateAuthorityPem))}")}
        users:
        - name: tester
          user:
            token: {token ?? Token}
        contexts:
        - name: fake
          context:
            cluster: fake
            user: tester
            namespace: {ns}
        current-context: fake
        """;

    async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        Requests.Enqueue((request.Method, request.Path + request.QueryString, request.ContentType));
        try
        {
            var certified = ClientCa is not null && await http.Connection.GetClientCertificateAsync() is { } presented && IssuedBy(presented, ClientCa);
            if (!certified && Token is not null && request.Headers.Authorization.ToString() != $"Bearer {Token}")
                throw new StatusException(401, "Unauthorized", "Unauthorized");
            await RouteAsync(http);
        }
        catch (StatusException e)
        {
            http.Response.StatusCode = e.Code;
            await WriteJsonAsync(http, e.ToStatus());
        }
    }

    async Task RouteAsync(HttpContext http)
    {
        var segments = http.Request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["version"]:
                await WriteJsonAsync(http, new JsonObject { ["major"] = "1", ["minor"] = "30", ["gitVersion"] = "v1.30.0-fake", ["platform"] = "linux/amd64" });
                return;
            case ["api"]:
                await WriteJsonAsync(http, new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = $"{Url.Host}:{Url.Port}" }),
                });
                return;
            case ["apis"]:
                await WriteJsonAsync(http, GroupList());
                return;
            case ["openapi", "v3"]:
                await WriteJsonAsync(http, OpenApi.Index());
                return;
            case ["openapi", "v3", .. var groupVersion]:
                await WriteJsonAsync(http, OpenApi.Document(string.Join('/', groupVersion))
                    ?? throw new StatusException(404, "NotFound", "the server could not find the requested resource"));
                return;
            case ["api", "v1"]:
                await WriteJsonAsync(http, Discovery("", "v1"));
                return;
            case ["apis", var group, var version]:
                if (!ResourceType.All.Any(r => r.Group == group && r.Version == version))
                    throw new StatusException(404, "NotFound", "the server could not find the requested resource");
                await WriteJsonAsync(http, Discovery(group, version));
                return;
        }
        var (group2, version2, rest) = segments switch
        {
            ["api", "v1", .. var r] => ("", "v1", r),
            ["apis", var g, var v, .. var r] => (g, v, r),
            _ => throw new StatusException(404, "NotFound", "the server could not find the requested resource"),
        };
        // namespaces/NS/PLURAL[/NAME] is namespaced; PLURAL[/NAME] is cluster-scoped (or all namespaces, for lists).
        var (ns, plural, name) = rest switch
        {
            ["namespaces", var n, var p] when p != "status" => (n, p, (string?)null),
            ["namespaces", var n, var p, var o] => (n, p, o),
            [var p] => (null, p, null),
            [var p, var o] => ((string?)null, p, o),
            _ => throw new StatusException(404, "NotFound", "the server could not find the requested resource"),
        };
        var type = ResourceType.All.FirstOrDefault(r => r.Group == group2 && r.Version == version2 && r.Plural == plural)
                   ?? throw new StatusException(404, "NotFound", "the server could not find the requested resource");
        if (type.Namespaced && ns is null && name is not null)
            throw new StatusException(404, "NotFound", "the server could not find the requested resource");
        if (!type.Namespaced)
            ns = null;

        switch (http.Request.Method, name)
        {
            case ("GET", null) when http.Request.Query["watch"] is ["1"] or ["true"]:
                await WatchAsync(http, type, ns);
                return;
            case ("GET", null):
                var list = List(type, ns, http.Request.Query);
                await WriteJsonAsync(http, Tables.Wanted(http.Request.Headers.Accept)
                    ? Tables.For(type, list["items"]!.AsArray().OfType<JsonObject>(), list["metadata"]!["resourceVersion"]!.GetValue<string>())
                    : list);
                return;
            case ("GET", _):
                var found = Store.Get(type, ns, name) ?? throw StatusException.NotFound(type, name);
                await WriteJsonAsync(http, Tables.Wanted(http.Request.Headers.Accept)
                    ? Tables.For(type, [found], found["metadata"]!["resourceVersion"]!.GetValue<string>())
                    : found);
                return;
            case ("POST", null):
                CheckWritable(type, "create", ns);
                var created = await ReadBodyAsync(http);
                var createdName = created["metadata"]?["name"]?.GetValue<string>() ?? "";
                if (Store.Get(type, ns, createdName) is not null)
                    throw StatusException.AlreadyExists(type, createdName);
                http.Response.StatusCode = 201;
                await WriteJsonAsync(http, Save(type, ns, createdName, created, null));
                return;
            case ("PATCH", not null):
                CheckWritable(type, "patch", ns);
                if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "application/apply-patch+yaml", StringComparison.OrdinalIgnoreCase))
                    throw new StatusException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml (this fake serves server-side apply only)");
                if (string.IsNullOrEmpty(http.Request.Query["fieldManager"]))
                    throw new StatusException(400, "BadRequest", "PATCH, application/apply-patch+yaml requests require a non-empty fieldManager");
                var applied = await ReadBodyAsync(http);
                var existing = Store.Get(type, ns, name);
                http.Response.StatusCode = existing is null ? 201 : 200;
                await WriteJsonAsync(http, Save(type, ns, name, applied, existing, http.Request.Query["fieldManager"]));
                return;
            case ("DELETE", not null) when type.Kind == "Namespace":
                await WriteJsonAsync(http, Terminate(name));
                return;
            case ("DELETE", not null):
                CheckWritable(type, "delete", ns);
                var removed = Store.Remove(type, ns, name) ?? throw StatusException.NotFound(type, name);
                // The garbage collector removes what the Deployment owned (its ReplicaSet's pods).
                if (type.Kind == "Deployment")
                    foreach (var pod in Store.List(ResourceType.Of("Pod"), ns).Where(p => p["metadata"]?["labels"]?[DeploymentController.OwnerLabel]?.GetValue<string>() == name))
                        Store.Remove(ResourceType.Of("Pod"), ns, pod["metadata"]!["name"]!.GetValue<string>());
                // Deleted at once (no finalizers): the registry answers a Status naming what it deleted.
                await WriteJsonAsync(http, new JsonObject
                {
                    ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success",
                    ["details"] = new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural, ["uid"] = removed["metadata"]?["uid"]?.DeepClone() },
                });
                return;
            default:
                throw new StatusException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    /// <summary>
    /// A deleted namespace turns Terminating (it still exists and refuses new content) while the namespace controller
    /// deletes everything in it; then it goes.
    /// </summary>
    JsonObject Terminate(string name)
    {
        var namespaces = ResourceType.Of("Namespace");
        var ns = Store.Get(namespaces, null, name) ?? throw StatusException.NotFound(namespaces, name);
        if (ns["status"]?["phase"]?.GetValue<string>() == "Terminating")
            return ns;
        ns["metadata"]!["deletionTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        ns["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        ns["status"] = new JsonObject { ["phase"] = "Terminating" };
        var terminating = Store.Put(namespaces, ns, "MODIFIED");
        _ = Task.Run(async () =>
        {
            await Task.Delay(100);
            foreach (var inner in ResourceType.All.Where(r => r.Namespaced))
                foreach (var item in Store.List(inner, name))
                    Store.Remove(inner, name, item["metadata"]!["name"]!.GetValue<string>());
            Store.Remove(namespaces, null, name);
        });
        return terminating;
    }

    void CheckWritable(ResourceType type, string verb, string? ns)
    {
        if (ns is not null && ForbiddenNamespaces.ContainsKey(ns))
            throw StatusException.Forbidden(type, verb, "system:serviceaccount:ci:rad", ns);
    }

    /// <summary>Create or apply: checks identity and validity, keeps the server's own fields, bumps generation on spec changes.</summary>
    JsonObject Save(ResourceType type, string? ns, string name, JsonObject body, JsonObject? existing, string? manager = null)
    {
        if (body["apiVersion"]?.GetValue<string>() != type.ApiVersion || body["kind"]?.GetValue<string>() != type.Kind)
            throw new StatusException(400, "BadRequest",
                $"the API version in the data ({body["apiVersion"]}) does not match the expected API version ({type.ApiVersion})" +
                (body["kind"]?.GetValue<string>() == type.Kind ? "" : $", or the kind ({body["kind"]}) is not {type.Kind}"));
        var metadata = body["metadata"] as JsonObject ?? throw StatusException.Invalid(type, name, [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")]);
        if (metadata["name"]?.GetValue<string>() != name)
            throw new StatusException(400, "BadRequest", $"the name of the object ({metadata["name"]}) does not match the name on the URL ({name})");
        if (ns is not null)
        {
            if (metadata["namespace"]?.GetValue<string>() is { } given && given != ns)
                throw new StatusException(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
            metadata["namespace"] = ns;
            var owner = Store.Get(ResourceType.Of("Namespace"), null, ns)
                        ?? throw new StatusException(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
            if (existing is null && owner["status"]?["phase"]?.GetValue<string>() == "Terminating")
                throw new StatusException(403, "Forbidden",
                    $"{StatusException.Qualified(type)} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    new JsonObject
                    {
                        ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural,
                        ["causes"] = new JsonArray(new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace" }),
                    });
        }
        var causes = Validation.Check(type, body);
        if (causes.Count > 0)
            throw StatusException.Invalid(type, name, causes);

        body = Defaulted(type, body);
        if (existing is not null && Validation.CheckUpdate(type, existing, body) is { Count: > 0 } immutable)
            throw StatusException.Invalid(type, name, immutable);
        metadata = (JsonObject)body["metadata"]!;
        metadata["uid"] = existing?["metadata"]?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = existing?["metadata"]?["creationTimestamp"]?.DeepClone() ?? DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (manager is not null)
            metadata["managedFields"] = new JsonArray(new JsonObject
            {
                ["manager"] = manager, ["operation"] = "Apply", ["apiVersion"] = type.ApiVersion, ["fieldsType"] = "FieldsV1",
                ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            });
        if (body["spec"] is not null)
        {
            var generation = existing?["metadata"]?["generation"]?.GetValue<long>() ?? 0;
            var changed = existing is null || !JsonNode.DeepEquals(existing["spec"], body["spec"]);
            metadata["generation"] = changed ? generation + 1 : generation;
        }
        if (existing?["status"] is { } status)
            body["status"] = status.DeepClone();
        if (type.Kind == "Namespace")
            body["status"] = new JsonObject { ["phase"] = "Active" };
        if (type.Kind == "Service")
            AllocateServicePorts(body, existing);
        var stored = Store.Put(type, body, existing is null ? "ADDED" : "MODIFIED");
        if (type.Kind == "Deployment")
            _controller.Reconcile(stored);
        if (type.Kind == "Cluster")
            ClusterApi.Reconcile(stored);
        return stored;
    }

    /// <summary>The defaults the real server fills in that RAD's objects leave out (so an unchanged apply compares equal).</summary>
    static JsonObject Defaulted(ResourceType type, JsonObject body)
    {
        body = (JsonObject)body.DeepClone();
        if (type.Kind == "Deployment" && body["spec"] is JsonObject spec)
        {
            spec["replicas"] ??= 1;
            spec["progressDeadlineSeconds"] ??= 600;
            spec["revisionHistoryLimit"] ??= 10;
            if (spec["strategy"] is not JsonObject strategy)
                spec["strategy"] = strategy = new JsonObject();
            strategy["type"] ??= "RollingUpdate";
            if (strategy["type"]!.GetValue<string>() == "RollingUpdate")
            {
                if (strategy["rollingUpdate"] is not JsonObject rolling)
                    strategy["rollingUpdate"] = rolling = new JsonObject();
                rolling["maxUnavailable"] ??= "25%";
                rolling["maxSurge"] ??= "25%";
            }
            foreach (var container in (spec["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
                foreach (var probe in new[] { container["readinessProbe"], container["livenessProbe"] }.OfType<JsonObject>())
                {
                    probe["timeoutSeconds"] ??= 1;
                    probe["periodSeconds"] ??= 10;
                    probe["successThreshold"] ??= 1;
                    probe["failureThreshold"] ??= 3;
                    if (probe["httpGet"] is JsonObject get)
                        get["scheme"] ??= "HTTP";
                }
        }
        if (type.Kind == "Service" && body["spec"] is JsonObject service)
            service["type"] ??= "ClusterIP";
        return body;
    }

    void AllocateServicePorts(JsonObject service, JsonObject? existing)
    {
        var spec = (JsonObject)service["spec"]!;
        spec["clusterIP"] = existing?["spec"]?["clusterIP"]?.DeepClone() ?? $"10.96.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 255)}";
        if (spec["type"]?.GetValue<string>() is not ("NodePort" or "LoadBalancer"))
            return;
        var used = Store.List(ResourceType.All.First(r => r.Kind == "Service"), null)
            .Where(s => s["metadata"]?["uid"]?.GetValue<string>() != service["metadata"]?["uid"]?.GetValue<string>())
            .SelectMany(s => s["spec"]?["ports"] as JsonArray ?? []).Select(p => p?["nodePort"]?.GetValue<int>()).ToHashSet();
        var ports = (JsonArray)spec["ports"]!;
        for (var i = 0; i < ports.Count; i++)
        {
            var port = (JsonObject)ports[i]!;
            if (port["nodePort"] is JsonValue given && used.Contains(given.GetValue<int>()))
                throw StatusException.Invalid(ResourceType.All.First(r => r.Kind == "Service"), service["metadata"]!["name"]!.GetValue<string>(),
                    [($"spec.ports[{i}].nodePort", "FieldValueInvalid", $"Invalid value: {given.GetValue<int>()}: provided port is already allocated")]);
            port["nodePort"] ??= Enumerable.Range(30000, 2768).First(p => !used.Contains(p));
        }
    }

    JsonObject List(ResourceType type, string? ns, IQueryCollection query)
    {
        var items = Store.List(type, ns).Where(o => Matches(o, query)).ToList();
        return new JsonObject
        {
            ["kind"] = $"{type.Kind}List",
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.Revision.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        };
    }

    async Task WatchAsync(HttpContext http, ResourceType type, string? ns)
    {
        var query = http.Request.Query;
        var timeout = TimeSpan.FromSeconds(int.TryParse(query["timeoutSeconds"], out var seconds) ? seconds : 60);
        var bookmarks = query["allowWatchBookmarks"] is ["true"] or ["1"];
        http.Response.ContentType = "application/json";
        await http.Response.StartAsync();
        var from = long.TryParse(query["resourceVersion"], out var rv) && rv > 0 ? rv : -1;

        // No resourceVersion (or "0"): the current objects as ADDED, then what changes.
        var watch = Store.Watch(from < 0 ? Store.Revision : from);
        if (watch is null)
        {
            await WriteLineAsync(http, new JsonObject
            {
                ["type"] = "ERROR",
                ["object"] = StatusException.Body(410, "Expired", $"too old resource version: {from} ({Store.CompactedRevision})"),
            });
            return;
        }
        var (backlog, live) = watch.Value;
        try
        {
            if (from < 0)
                foreach (var obj in Store.List(type, ns).Where(o => Matches(o, query)))
                    await WriteLineAsync(http, new JsonObject { ["type"] = "ADDED", ["object"] = obj });
            foreach (var change in backlog)
                await WriteChangeAsync(http, change, type, ns, query);
            using var end = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            end.CancelAfter(timeout);
            while (!end.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(end.Token);
                tick.CancelAfter(TimeSpan.FromSeconds(1));
                try
                {
                    await WriteChangeAsync(http, await live.Reader.ReadAsync(tick.Token), type, ns, query);
                }
                catch (OperationCanceledException) when (!end.IsCancellationRequested && bookmarks)
                {
                    await WriteLineAsync(http, new JsonObject
                    {
                        ["type"] = "BOOKMARK",
                        ["object"] = new JsonObject
                        {
                            ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.Revision.ToString(CultureInfo.InvariantCulture) },
                        },
                    });
                }
                catch (OperationCanceledException) when (!end.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch's time is up, or the client left.
        }
        finally
        {
            Store.StopWatching(live);
        }
    }

    async Task WriteChangeAsync(HttpContext http, Change change, ResourceType type, string? ns, IQueryCollection query)
    {
        if (change.Resource != type || (ns is not null && change.Object["metadata"]?["namespace"]?.GetValue<string>() != ns) || !Matches(change.Object, query))
            return;
        await WriteLineAsync(http, new JsonObject { ["type"] = change.Type, ["object"] = change.Object.DeepClone() });
    }

    /// <summary>labelSelector terms (k=v, k==v, k!=v, k, !k; comma means and) and fieldSelector equality terms (metadata.name, metadata.namespace, involvedObject.name/kind).</summary>
    static bool Matches(JsonObject obj, IQueryCollection query)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var term in ((string?)query["labelSelector"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var matched = term switch
            {
                ['!', .. var key] => labels?[key.Trim()] is null,
                _ when term.Contains("!=", StringComparison.Ordinal) => Label(labels, term[..term.IndexOf("!=", StringComparison.Ordinal)]) != term[(term.IndexOf("!=", StringComparison.Ordinal) + 2)..].Trim(),
                _ when term.Contains('=') => Label(labels, term[..term.IndexOf('=')]) == term[(term.IndexOf('=') + 1)..].TrimStart('=').Trim(),
                _ => labels?[term] is not null,
            };
            if (!matched)
                return false;
        }
        foreach (var term in Terms(query["fieldSelector"]))
        {
            var node = term.Key.Split('.').Aggregate((JsonNode?)obj, (n, part) => n?[part]);
            if (node?.GetValue<string>() != term.Value)
                return false;
        }
        return true;
    }

    static string? Label(JsonObject? labels, string key) => labels?[key.Trim()]?.GetValue<string>();

    static IEnumerable<KeyValuePair<string, string>> Terms(string? selector) =>
        (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Split('=', 2))
            .Select(p => KeyValuePair.Create(p[0].TrimEnd('=').Trim(), p.Length > 1 ? p[1].TrimStart('=').Trim() : ""));

    /// <summary>GET /apis: every API group with its versions (the legacy discovery document, which clients accept when the server does not offer aggregated discovery).</summary>
    static JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(ResourceType.All.Where(r => r.Group.Length > 0).GroupBy(r => r.Group).Select(g =>
        {
            var versions = g.Select(r => r.Version).Distinct().Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{g.Key}/{v}", ["version"] = v }).ToArray();
            return (JsonNode)new JsonObject { ["name"] = g.Key, ["versions"] = new JsonArray(versions), ["preferredVersion"] = versions[0].DeepClone() };
        }).ToArray()),
    };

    static JsonObject Discovery(string group, string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
        ["resources"] = new JsonArray(ResourceType.All.Where(r => r.Group == group && r.Version == version)
            .Select(r =>
            {
                // Only the verbs this server serves (no update, no deletecollection).
                var resource = new JsonObject
                {
                    ["name"] = r.Plural, ["singularName"] = r.Kind.ToLowerInvariant(), ["namespaced"] = r.Namespaced, ["kind"] = r.Kind,
                    ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "watch"),
                };
                if (r.ShortNames is { } shortNames)
                    resource["shortNames"] = new JsonArray(shortNames.Select(n => (JsonNode)n).ToArray());
                if (r.InAll)
                    resource["categories"] = new JsonArray("all");
                return (JsonNode)resource;
            }).ToArray()),
    };

    static async Task<JsonObject> ReadBodyAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        try
        {
            return (text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : ManifestYaml.ReadAll(text).FirstOrDefault()) as JsonObject
                   ?? throw new StatusException(400, "BadRequest", "the request body is not an object");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or YamlDotNet.Core.YamlException)
        {
            throw new StatusException(400, "BadRequest", $"error decoding the request body: {e.Message}");
        }
    }

    static async Task WriteJsonAsync(HttpContext http, JsonObject body)
    {
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    static async Task WriteLineAsync(HttpContext http, JsonObject line)
    {
        await http.Response.WriteAsync(line.ToJsonString() + "\n");
        await http.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _controller.Dispose();
        _endpoints.Dispose();
        ClusterApi.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
