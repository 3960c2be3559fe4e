using System.Net;
using k8s;
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

    /// <summary>From a response: its metav1.Status, or whatever else the server answered.</summary>
    public static KubernetesApiException From(HttpStatusCode status, string body, string resource)
    {
        V1Status? parsed = null;
        try
        {
            parsed = KubernetesJson.Deserialize<V1Status>(body);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return parsed is { Kind: "Status" } ? From(parsed, resource, (int)status)
            : new KubernetesApiException((int)status, status.ToString(), body.Length > 300 ? body[..300] : body.Trim(), [], resource);
    }

    /// <summary>From a metav1.Status (a response's body, or a watch's ERROR event).</summary>
    public static KubernetesApiException From(V1Status status, string resource, int fallbackCode = 500) =>
        new(status.Code ?? fallbackCode, status.Reason ?? "Unknown", status.Message ?? "",
            (status.Details?.Causes ?? []).Select(c => $"{c.Field ?? c.Reason}: {c.Message}").ToList(), resource);
}
