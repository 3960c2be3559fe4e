using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rad.Webhooks;

/// <summary>
/// How one git host signs, names and shapes its hooks. GitHub and Gitea sign the raw body with HMAC-SHA256 (hex, GitHub
/// with a "sha256=" prefix); GitLab sends the secret itself as a token. Every comparison runs in constant time.
/// </summary>
public sealed record GitHost(
    string Name,
    string SignatureHeader,
    string EventHeader,
    string[] DeliveryHeaders,
    Func<string, bool> IsPush,
    Func<string, bool> IsPing,
    Func<JsonElement, PushEvent> ReadPush,
    Func<byte[], string, string, bool> Verify)
{
    public static readonly GitHost GitHub = new("github", "X-Hub-Signature-256", "X-GitHub-Event", ["X-GitHub-Delivery"],
        e => e == "push", e => e == "ping",
        json => new PushEvent(Text(json, "repository", "clone_url"), Text(json, "ref"), Text(json, "after"), OptionalText(json, "repository", "default_branch"),
            Forced(json)),
        (body, signature, secret) => signature.StartsWith("sha256=", StringComparison.Ordinal) && HmacMatches(body, signature["sha256=".Length..], secret));

    public static readonly GitHost GitLab = new("gitlab", "X-Gitlab-Token", "X-Gitlab-Event", ["Idempotency-Key", "X-Gitlab-Event-UUID"],
        e => e == "Push Hook", _ => false,
        json => new PushEvent(Text(json, "project", "git_http_url"), Text(json, "ref"), Text(json, "after"), OptionalText(json, "project", "default_branch")),
        (_, token, secret) => FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(secret)));

    public static readonly GitHost Gitea = new("gitea", "X-Gitea-Signature", "X-Gitea-Event", ["X-Gitea-Delivery"],
        e => e == "push", _ => false,
        json => new PushEvent(Text(json, "repository", "clone_url"), Text(json, "ref"), Text(json, "after"), OptionalText(json, "repository", "default_branch")),
        (body, signature, secret) => HmacMatches(body, signature, secret));

    public static GitHost? Find(string name) => name switch
    {
        "github" => GitHub,
        "gitlab" => GitLab,
        "gitea" => Gitea,
        _ => null,
    };

    static bool HmacMatches(byte[] body, string hex, string secret)
    {
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        byte[] given;
        try
        {
            given = Convert.FromHexString(hex.Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    // Hashing first makes the comparison independent of where (and whether) the lengths differ.
    static bool FixedTimeEquals(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(SHA256.HashData(a), SHA256.HashData(b));

    // GitHub says "forced": true when the push moved the branch to a commit that does not descend from where it was.
    static bool Forced(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty("forced", out var forced) && forced.ValueKind == JsonValueKind.True;

    static string Text(JsonElement json, params string[] path) =>
        OptionalText(json, path) ?? throw new InvalidPayloadException($"the payload has no string at {string.Join('.', path)}");

    static string? OptionalText(JsonElement json, params string[] path)
    {
        foreach (var name in path)
        {
            if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty(name, out json))
                return null;
        }
        return json.ValueKind == JsonValueKind.String ? json.GetString() : null;
    }
}

public sealed class InvalidPayloadException(string message) : Exception(message);
