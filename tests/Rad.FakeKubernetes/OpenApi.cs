using System.Text.Json.Nodes;

namespace Rad.FakeKubernetes;

/// <summary>
/// /openapi/v3: the index of group-versions and, for each, an OpenAPI 3 document of its paths and operations (without
/// schemas). Clients read it to learn what a PATCH accepts: kubectl sends fieldValidation=Strict only when the PATCH
/// operation of the kind (tagged x-kubernetes-group-version-kind) lists that query parameter.
/// </summary>
public static class OpenApi
{
    public static JsonObject Index() => new()
    {
        ["paths"] = new JsonObject(ResourceType.All.Select(r => r.ApiVersion).Distinct().Select(gv =>
            KeyValuePair.Create(Prefix(gv), (JsonNode?)new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{Prefix(gv)}?hash={Hash(gv)}" }))),
    };

    /// <summary>The document for "api/v1" or "apis/GROUP/VERSION"; null when there is no such group-version.</summary>
    public static JsonObject? Document(string prefix)
    {
        var types = ResourceType.All.Where(r => Prefix(r.ApiVersion) == prefix).ToList();
        if (types.Count == 0)
            return null;
        var paths = new JsonObject();
        foreach (var type in types)
        {
            var collection = type.Namespaced ? $"/{prefix}/namespaces/{{namespace}}/{type.Plural}" : $"/{prefix}/{type.Plural}";
            paths[collection] = new JsonObject
            {
                ["get"] = Operation(type, "list", $"list{type.Kind}", []),
                ["post"] = Operation(type, "post", $"create{type.Kind}", ["dryRun", "fieldManager", "fieldValidation"]),
            };
            var item = new JsonObject
            {
                ["get"] = Operation(type, "get", $"read{type.Kind}", []),
                ["delete"] = Operation(type, "delete", $"delete{type.Kind}", ["dryRun", "gracePeriodSeconds", "propagationPolicy"]),
                ["patch"] = Operation(type, "patch", $"patch{type.Kind}", ["dryRun", "fieldManager", "fieldValidation", "force"]),
            };
            // Server-side apply is the only patch this server takes.
            item["patch"]!["requestBody"] = new JsonObject
            {
                ["content"] = new JsonObject { ["application/apply-patch+yaml"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } } },
                ["required"] = true,
            };
            paths[$"{collection}/{{name}}"] = item;
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.30.0-fake" },
            ["paths"] = paths,
            ["components"] = new JsonObject(),
        };
    }

    static JsonObject Operation(ResourceType type, string action, string operationId, string[] queryParameters) => new()
    {
        ["operationId"] = operationId,
        ["x-kubernetes-action"] = action,
        ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
        ["parameters"] = new JsonArray(queryParameters.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = p is "force" ? "boolean" : p is "gracePeriodSeconds" ? "integer" : "string" },
        }).ToArray()),
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
    };

    static string Prefix(string apiVersion) => apiVersion == "v1" ? "api/v1" : $"apis/{apiVersion}";

    static string Hash(string apiVersion) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(apiVersion)))[..16];
}
