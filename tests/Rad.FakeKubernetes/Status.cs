using System.Text.Json.Nodes;

namespace Rad.FakeKubernetes;

/// <summary>metav1.Status bodies, shaped as the API server sends them for errors.</summary>
public sealed class StatusException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public JsonObject ToStatus() => Body(Code, reason, Message, details);

    public static JsonObject Body(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (details is not null)
            status["details"] = details;
        return status;
    }

    public static StatusException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{Qualified(type)} \"{name}\" not found", new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural });

    public static StatusException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{Qualified(type)} \"{name}\" already exists", new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural });

    public static StatusException Invalid(ResourceType type, string name, IReadOnlyList<(string Field, string Reason, string Message)> causes) =>
        new(422, "Invalid",
            $"{type.Kind}{(type.Group.Length == 0 ? "" : "." + type.Group)} \"{name}\" is invalid: {string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"))}",
            new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Kind,
                ["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field }).ToArray()),
            });

    public static StatusException Forbidden(ResourceType type, string verb, string user, string? ns) =>
        new(403, "Forbidden",
            $"{Qualified(type)} is forbidden: User \"{user}\" cannot {verb} resource \"{type.Plural}\" in API group \"{type.Group}\"{(ns is null ? " at the cluster scope" : $" in the namespace \"{ns}\"")}",
            new JsonObject { ["group"] = type.Group, ["kind"] = type.Plural });

    public static string Qualified(ResourceType type) => type.Group.Length == 0 ? type.Plural : $"{type.Plural}.{type.Group}";
}
