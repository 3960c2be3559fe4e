using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;

namespace Rad.Kubernetes;

/// <summary>
/// Kubernetes objects as YAML streams, through KubernetesClient's YAML (KubernetesYaml), for RAD's JsonObject manifests:
/// reading types unquoted scalars (numbers, booleans, null) as Kubernetes' decoder does; writing quotes every string that
/// would read back as something else.
/// </summary>
public static partial class ManifestYaml
{
    /// <summary>Every non-empty document of a YAML stream, split at "---" lines as kubectl splits them. Throws YamlDotNet's YamlException.</summary>
    public static IReadOnlyList<JsonObject> ReadAll(string text) =>
        Separator().Split(text).Select(Read).OfType<JsonObject>().ToList();

    /// <summary>One document; null when it holds nothing.</summary>
    public static JsonObject? Read(string document)
    {
        YamlAliases.Refuse(document);
        return JsonSerializer.SerializeToNode(KubernetesYaml.Deserialize<Dictionary<string, object>>(document)) as JsonObject;
    }

    /// <summary>The objects as one YAML stream, each document starting with "---".</summary>
    public static string WriteAll(IEnumerable<JsonObject> objects) => "---\n" + KubernetesYaml.SerializeAll(objects.Select(ToPlain));

    static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => map.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray list => list.Select(ToPlain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when long.TryParse(value.ToJsonString(), CultureInfo.InvariantCulture, out var integer) => integer,
            JsonValueKind.Number => double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };

    [GeneratedRegex(@"^---[ \t]*(?:#.*)?\r?$", RegexOptions.Multiline)]
    private static partial Regex Separator();
}
