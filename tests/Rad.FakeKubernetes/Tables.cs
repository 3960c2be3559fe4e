using System.Globalization;
using System.Text.Json.Nodes;

namespace Rad.FakeKubernetes;

/// <summary>
/// meta.k8s.io/v1 Table: what the API server answers a GET whose Accept asks for as=Table (kubectl get without -o), with
/// the columns the real server prints for each kind (pkg/printers/internalversion) and Name/Age for the others; each row
/// carries its object's metadata (includeObject=Metadata, the default).
/// </summary>
public static class Tables
{
    public static bool Wanted(string? accept) => accept?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject For(ResourceType type, IEnumerable<JsonObject> objects, string resourceVersion)
    {
        var columns = Columns(type.Kind);
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Name == "Name" ? "name" : "", ["description"] = c.Name, ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = new JsonArray(objects.Select(o => (JsonNode)new JsonObject
            {
                ["cells"] = new JsonArray(columns.Select(c => c.Cell(o)).ToArray()),
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = o["metadata"]?.DeepClone(),
                },
            }).ToArray()),
        };
    }

    sealed record Column(string Name, string Type, Func<JsonObject, JsonNode?> Cell, int Priority = 0);

    static Column[] Columns(string kind) => kind switch
    {
        "Deployment" =>
        [
            Name, new("Ready", "string", d => $"{Int(d["status"]?["readyReplicas"])}/{Int(d["spec"]?["replicas"])}"),
            new("Up-to-date", "integer", d => Int(d["status"]?["updatedReplicas"])),
            new("Available", "integer", d => Int(d["status"]?["availableReplicas"])), Age,
            new("Containers", "string", d => Join(d["spec"]?["template"]?["spec"]?["containers"], "name"), 1),
            new("Images", "string", d => Join(d["spec"]?["template"]?["spec"]?["containers"], "image"), 1),
        ],
        "Pod" =>
        [
            Name,
            new("Ready", "string", p => $"{Statuses(p).Count(s => s?["ready"]?.GetValue<bool>() == true)}/{(p["spec"]?["containers"] as JsonArray)?.Count ?? 0}"),
            new("Status", "string", p => Statuses(p).Select(s => s?["state"]?["waiting"]?["reason"]?.GetValue<string>()).FirstOrDefault(r => r is not null)
                                         ?? p["status"]?["phase"]?.GetValue<string>() ?? "Pending"),
            new("Restarts", "integer", p => Statuses(p).Sum(s => Int(s?["restartCount"]))), Age,
        ],
        "Service" =>
        [
            Name, new("Type", "string", s => s["spec"]?["type"]?.GetValue<string>() ?? "ClusterIP"),
            new("Cluster-IP", "string", s => s["spec"]?["clusterIP"]?.GetValue<string>() ?? "<none>"),
            new("External-IP", "string", s => s["spec"]?["type"]?.GetValue<string>() == "LoadBalancer"
                ? Join(s["status"]?["loadBalancer"]?["ingress"], "ip") is { Length: > 0 } ips ? ips : "<pending>" : "<none>"),
            new("Port(s)", "string", s => string.Join(",", (s["spec"]?["ports"] as JsonArray ?? []).Select(p =>
                $"{Int(p?["port"])}{(p?["nodePort"] is null ? "" : $":{Int(p["nodePort"])}")}/{p?["protocol"]?.GetValue<string>() ?? "TCP"}"))),
            Age,
        ],
        "Namespace" => [Name, new("Status", "string", n => n["status"]?["phase"]?.GetValue<string>() ?? "Active"), Age],
        "Secret" => [Name, new("Type", "string", s => s["type"]?.GetValue<string>() ?? "Opaque"), new("Data", "integer", s => (s["data"] as JsonObject)?.Count ?? 0), Age],
        "Event" =>
        [
            new("Last Seen", "string", e => Since(e["lastTimestamp"] ?? e["eventTime"] ?? e["metadata"]?["creationTimestamp"])),
            new("Type", "string", e => e["type"]?.GetValue<string>()),
            new("Reason", "string", e => e["reason"]?.GetValue<string>()),
            new("Object", "string", e => $"{e["involvedObject"]?["kind"]?.GetValue<string>()?.ToLowerInvariant()}/{e["involvedObject"]?["name"]?.GetValue<string>()}"),
            new("Message", "string", e => e["message"]?.GetValue<string>()),
        ],
        _ => [Name, Age],
    };

    static readonly Column Name = new("Name", "string", o => o["metadata"]?["name"]?.GetValue<string>());
    static readonly Column Age = new("Age", "string", o => Since(o["metadata"]?["creationTimestamp"]));

    static IEnumerable<JsonNode?> Statuses(JsonObject pod) => pod["status"]?["containerStatuses"] as JsonArray ?? [];

    static int Int(JsonNode? node) => node?.GetValue<int>() ?? 0;

    static string Join(JsonNode? list, string field) => string.Join(",", (list as JsonArray ?? []).Select(i => i?[field]?.GetValue<string>()).OfType<string>());

    /// <summary>The server's short age format (apimachinery's duration.HumanDuration).</summary>
    static string Since(JsonNode? timestamp)
    {
        if (timestamp?.GetValue<string>() is not { } text || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, out var at))
            return "<unknown>";
        var age = DateTimeOffset.UtcNow - at;
        return age.TotalSeconds switch
        {
            < -1 => "<invalid>",
            < 0 => "0s",
            < 120 => $"{(int)age.TotalSeconds}s",
            < 600 => age.Seconds == 0 ? $"{(int)age.TotalMinutes}m" : $"{(int)age.TotalMinutes}m{age.Seconds}s",
            < 3 * 3600 => $"{(int)age.TotalMinutes}m",
            < 48 * 3600 => $"{(int)age.TotalHours}h",
            _ => $"{(int)age.TotalDays}d",
        };
    }
}
