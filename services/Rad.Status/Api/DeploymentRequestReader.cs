using System.Text.Json;
using System.Text.RegularExpressions;
using Rad.Contracts;
using Rad.Contracts.Config;
using Rad.Status.Saga;

namespace Rad.Status.Api;

public sealed record DeploymentRequestBody(string Repository, string Ref, string ConfigPath, string Cluster, string? Concurrency, bool Force);

/// <summary>Reads POST /api/deployments by hand so every problem names its field.</summary>
public static partial class DeploymentRequestReader
{
    public static async Task<(DeploymentRequestBody? Body, Dictionary<string, string[]> Errors)> ReadAsync(HttpRequest request, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var (root, notJson) = await RequestJson.ReadAsync(request, """{"repository": "https://host/org/repo.git"}""", token);
        if (notJson is not null)
        {
            errors["body"] = [notJson];
            return (null, errors);
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["The request body must be a JSON object such as {\"repository\": \"https://host/org/repo.git\"}."];
            return (null, errors);
        }
        foreach (var (name, unknown) in KnownFields.Unknown(root, Fields))
            errors[name] = [$"{name} {unknown}."];
        var repository = ReadString(root, "repository", required: true, MaxRepositoryLength, errors);
        var @ref = ReadString(root, "ref", required: false, MaxRefLength, errors) ?? DeploymentDefaults.Ref;
        var configPath = ReadString(root, "configPath", required: false, MaxConfigPathLength, errors) ?? DeploymentDefaults.ConfigPath;
        var cluster = ReadString(root, "cluster", required: false, MaxClusterLength, errors) ?? DeploymentDefaults.Cluster;
        var concurrency = ReadString(root, "concurrency", required: false, MaxClusterLength, errors);
        var force = false;
        if (root.TryGetProperty("force", out var forced) && forced.ValueKind != JsonValueKind.Null)
        {
            if (forced.ValueKind is JsonValueKind.True or JsonValueKind.False)
                force = forced.GetBoolean();
            else
                errors["force"] = ["force must be true or false: true also deploys applications pinned by a rollback, and ends their pins."];
        }

        // Local paths pass here: only the cloner knows whether it allows them, and says so if not.
        if (repository is not null && RepositoryUrl.Problem(repository, allowLocal: true) is { } problem)
            errors["repository"] = [$"\"{RepositoryUrl.Redact(repository)}\" {problem}."];
        if (!errors.ContainsKey("ref") && !RefName().IsMatch(@ref))
            errors["ref"] = [$"\"{@ref}\" is not a branch, tag or commit name."];
        if (!errors.ContainsKey("configPath") && (configPath.StartsWith('/') || configPath.Split('/').Contains("..")))
            errors["configPath"] = [$"\"{configPath}\" must be a path relative to the repository root, without '..'."];
        if (!errors.ContainsKey("cluster") && !DnsLabel.IsValid(cluster))
            errors["cluster"] = [$"\"{cluster}\" is not a cluster name: lowercase letters, digits and '-', e.g. \"local\"."];
        if (concurrency is not null && !ConcurrencyOptions.IsValid(concurrency))
            errors["concurrency"] = [$"\"{concurrency}\" is not a concurrency policy: use \"{ConcurrencyOptions.Queue}\" (wait for a running deployment of the same repository and cluster) or \"{ConcurrencyOptions.Supersede}\" (replace it)."];
        return errors.Count == 0 ? (new DeploymentRequestBody(repository!, @ref, configPath, cluster, concurrency, force), errors) : (null, errors);
    }

    static readonly string[] Fields = ["repository", "ref", "configPath", "cluster", "concurrency", "force"];

    /// <summary>Longest accepted values, in characters: a URL of 2 KiB, a git ref name, a path, a DNS label.</summary>
    public const int MaxRepositoryLength = 2048, MaxRefLength = 255, MaxConfigPathLength = 1024, MaxClusterLength = 63;

    // A value over its limit is refused before anything else looks at it (and is never echoed back).
    static string? ReadString(JsonElement root, string field, bool required, int maxLength, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
                errors[field] = [$"{field} is required."];
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors[field] = [$"{field} must be a non-empty string."];
            return null;
        }
        var text = value.GetString()!.Trim();
        // Not FirstOrDefault: NUL, the character PostgreSQL refuses, is char's default.
        if (text.Where(char.IsControl).Select(c => (int?)c).FirstOrDefault() is { } control)
        {
            errors[field] = [$"{field} contains the control character U+{control:X4}; send it without control characters."];
            return null;
        }
        if (text.Length > maxLength)
        {
            errors[field] = [$"{field} is {text.Length} characters long; the limit is {maxLength}. Send a shorter value."];
            return null;
        }
        return text;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._][A-Za-z0-9._/+-]{0,254}$")]
    private static partial Regex RefName();
}
