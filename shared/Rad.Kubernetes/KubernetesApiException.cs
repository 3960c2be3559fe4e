using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Rad.Kubernetes;

/// <summary>
/// The API server said no. Carries its Status object's own words (code, reason, message, causes) and the resource the
/// request was about; never a credential.
/// </summary>
public sealed class KubernetesApiException(int code, string reason, string serverMessage, IReadOnlyList<string> causes, string resource)
    : Exception($"{resource}: {code} {reason}: {serverMessage}{(causes.Count == 0 ? "" : $" ({string.Join("; ", causes)})")}")
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public string ServerMessage { get; } = serverMessage;
    public IReadOnlyList<string> Causes { get; } = causes;
    public string Resource { get; } = resource;

    /// <summary>From a metav1.Status body (or whatever else the server answered).</summary>
    public static KubernetesApiException From(HttpStatusCode status, string body, string resource)
    {
        JsonObject? json = null;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return FromStatus(json is { } s && s["kind"]?.GetValue<string>() == "Status" ? s : null, (int)status, body, resource);
    }

    /// <summary>From the Status of a watch's ERROR event.</summary>
    public static KubernetesApiException From(V1Status status, string resource) =>
        new(status.Code ?? 500, status.Reason ?? "Unknown", status.Message ?? "",
            (status.Details?.Causes ?? []).Select(c => $"{c.Field ?? c.Reason}: {c.Message}").ToList(), resource);

    static KubernetesApiException FromStatus(JsonObject? status, int fallbackCode, string fallbackBody, string resource)
    {
        if (status is null)
            return new KubernetesApiException(fallbackCode, ((HttpStatusCode)fallbackCode).ToString(),
                fallbackBody.Length > 300 ? fallbackBody[..300] : fallbackBody.Trim(), [], resource);
        var causes = (status["details"]?["causes"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => $"{c["field"]?.GetValue<string>() ?? c["reason"]?.GetValue<string>()}: {c["message"]?.GetValue<string>()}")
            .ToList();
        return new KubernetesApiException(
            status["code"]?.GetValue<int>() ?? fallbackCode,
            status["reason"]?.GetValue<string>() ?? "Unknown",
            status["message"]?.GetValue<string>() ?? "",
            causes,
            resource);
    }
}
