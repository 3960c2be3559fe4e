using System.Text.Json;
using Docker.DotNet;

namespace Rad.Docker;

public static class DockerApi
{
    /// <summary>The engine's own words: the "message" of its JSON error body, without the client's wrapping.</summary>
    public static string EngineMessage(this DockerApiException e)
    {
        var text = e.ResponseBody ?? "";
        try
        {
            using var body = JsonDocument.Parse(text);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("message", out var message))
                return message.GetString()?.Trim() ?? "";
        }
        catch (JsonException)
        {
        }
        return text.Trim();
    }

    /// <summary>A label's value, or null when the object has no such label (the engine answers null for no labels at all).</summary>
    public static string? Label(this IDictionary<string, string>? labels, string name) =>
        labels is not null && labels.TryGetValue(name, out var value) ? value : null;

    /// <summary>Filters in the form the Engine API takes: {"label": {"rad.managed=true": true}}.</summary>
    public static Dictionary<string, IDictionary<string, bool>> Filters(params (string Name, string Value)[] filters) =>
        filters.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => (IDictionary<string, bool>)g.ToDictionary(f => f.Value, _ => true));
}
