using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Rad.Kubernetes;

/// <summary>YAML in and out as System.Text.Json nodes, so the rest of the client speaks JSON only.</summary>
public static class Yaml
{
    /// <summary>Every document of a YAML stream (empty documents skipped).</summary>
    public static IReadOnlyList<JsonNode> ParseAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonNode>().ToList();
    }

    static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    // Plain scalars follow YAML 1.2's core schema (what Kubernetes' decoder does); quoted ones stay strings.
    static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(value);
        if (value is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (value is "true" or "True" or "TRUE")
            return JsonValue.Create(true);
        if (value is "false" or "False" or "FALSE")
            return JsonValue.Create(false);
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && value.Any(char.IsDigit) && !value.Contains(':'))
            return JsonValue.Create(number);
        return JsonValue.Create(value);
    }

    /// <summary>Writes the documents as one YAML stream, "---" between them; strings that could read as anything else are quoted.</summary>
    public static string WriteAll(IEnumerable<JsonNode> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            text.Append("---\n");
            Write(text, document, 0, inList: false);
        }
        return text.ToString();
    }

    static void Write(StringBuilder text, JsonNode? node, int indent, bool inList)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case JsonObject map when map.Count > 0:
                var first = true;
                foreach (var (key, value) in map)
                {
                    text.Append(first && inList ? "" : pad).Append(Key(key)).Append(':');
                    first = false;
                    WriteValue(text, value, indent);
                }
                break;
            case JsonArray list when list.Count > 0:
                foreach (var item in list)
                {
                    text.Append(pad).Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                        Write(text, item, indent + 2, inList: true);
                    else
                        text.Append(ScalarText(item)).Append('\n');
                }
                break;
            default:
                text.Append(pad).Append(ScalarText(node)).Append('\n');
                break;
        }
    }

    static void WriteValue(StringBuilder text, JsonNode? value, int indent)
    {
        if (value is JsonObject { Count: > 0 })
        {
            text.Append('\n');
            Write(text, value, indent + 2, inList: false);
        }
        else if (value is JsonArray { Count: > 0 })
        {
            text.Append('\n');
            Write(text, value, indent, inList: false);
        }
        else
            text.Append(' ').Append(ScalarText(value)).Append('\n');
    }

    static string Key(string key) => NeedsQuotes(key) ? Quote(key) : key;

    static string ScalarText(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue value when value.TryGetValue<string>(out var s) => NeedsQuotes(s) ? Quote(s) : s,
        _ => node.ToJsonString(),
    };

    static bool NeedsQuotes(string s) =>
        s.Length == 0 || Scalar(new YamlScalarNode(s)) is not JsonValue v || !v.TryGetValue<string>(out _)
        || s.IndexOfAny([':', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\n']) >= 0
        || s.StartsWith('-') || s.StartsWith(' ') || s.EndsWith(' ') || s.StartsWith('?');

    // JSON string syntax is valid YAML double-quoted syntax.
    static string Quote(string s) => JsonValue.Create(s)!.ToJsonString();
}
