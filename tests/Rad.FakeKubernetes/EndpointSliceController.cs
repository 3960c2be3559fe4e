using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Rad.FakeKubernetes;

/// <summary>
/// Plays the EndpointSlice controller: for every Service with a selector, one discovery.k8s.io/v1 EndpointSlice
/// (labels kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by) listing the pods the selector matches
/// that have an IP, each with its ready/serving/terminating conditions and a targetRef, and the Service's target ports.
/// A selector change moves the endpoints within a tick, as the real controller does within its sync.
/// </summary>
public sealed class EndpointSliceController : IDisposable
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    static readonly ResourceType Services = ResourceType.Of("Service");
    static readonly ResourceType Pods = ResourceType.Of("Pod");
    static readonly ResourceType Slices = ResourceType.Of("EndpointSlice");
    readonly ObjectStore _store;
    readonly CancellationTokenSource _stop = new();

    public EndpointSliceController(ObjectStore store, TimeSpan tick)
    {
        _store = store;
        _ = Task.Run(() => LoopAsync(tick));
    }

    async Task LoopAsync(TimeSpan tick)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Sync();
                await Task.Delay(tick, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    void Sync()
    {
        var services = _store.List(Services, null);
        foreach (var service in services)
        {
            if (service["spec"]?["selector"] is not JsonObject selector || selector.Count == 0)
                continue;
            var ns = service["metadata"]!["namespace"]!.GetValue<string>();
            var name = service["metadata"]!["name"]!.GetValue<string>();
            var wanted = Slice(service, ns, name, selector);
            var existing = _store.Get(Slices, ns, wanted["metadata"]!["name"]!.GetValue<string>());
            if (existing is null || !JsonNode.DeepEquals(existing["endpoints"], wanted["endpoints"]) || !JsonNode.DeepEquals(existing["ports"], wanted["ports"]))
                _store.Put(Slices, wanted, existing is null ? "ADDED" : "MODIFIED");
        }
        // A deleted Service's slices go with it (they are owned by it).
        foreach (var slice in _store.List(Slices, null))
        {
            var ns = slice["metadata"]!["namespace"]!.GetValue<string>();
            var owner = slice["metadata"]?["labels"]?[ServiceNameLabel]?.GetValue<string>();
            if (owner is not null && _store.Get(Services, ns, owner) is null)
                _store.Remove(Slices, ns, slice["metadata"]!["name"]!.GetValue<string>());
        }
    }

    JsonObject Slice(JsonObject service, string ns, string name, JsonObject selector)
    {
        var pods = _store.List(Pods, ns)
            .Where(p => selector.All(s => p["metadata"]?["labels"]?[s.Key]?.GetValue<string>() == s.Value?.GetValue<string>()))
            .Where(p => p["status"]?["podIP"] is not null)
            .OrderBy(p => p["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal)
            .ToList();
        var endpoints = new JsonArray(pods.Select(p =>
        {
            var ready = DeploymentController.Ready(p);
            var terminating = p["metadata"]?["deletionTimestamp"] is not null;
            return (JsonNode)new JsonObject
            {
                ["addresses"] = new JsonArray(p["status"]!["podIP"]!.GetValue<string>()),
                ["conditions"] = new JsonObject { ["ready"] = ready && !terminating, ["serving"] = ready, ["terminating"] = terminating },
                ["targetRef"] = new JsonObject
                {
                    ["kind"] = "Pod", ["namespace"] = ns, ["name"] = p["metadata"]!["name"]!.GetValue<string>(), ["uid"] = p["metadata"]?["uid"]?.DeepClone(),
                },
            };
        }).ToArray());
        var ports = new JsonArray((service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p["name"]?.DeepClone() ?? "",
            ["port"] = p["targetPort"]?.DeepClone() ?? p["port"]!.DeepClone(),
            ["protocol"] = p["protocol"]?.DeepClone() ?? "TCP",
        }).ToArray());
        // The real controller names slices SERVICE-<random>; a stable suffix keeps one slice per Service here.
        var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}/{name}")))[..5];
        return new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{name}-{suffix}",
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [ServiceNameLabel] = name, ["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io" },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1", ["kind"] = "Service", ["name"] = name, ["uid"] = service["metadata"]?["uid"]?.DeepClone(),
                    ["controller"] = true, ["blockOwnerDeletion"] = true,
                }),
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = endpoints,
            ["ports"] = ports,
        };
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
