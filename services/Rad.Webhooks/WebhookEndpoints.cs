using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Hosting;

namespace Rad.Webhooks;

/// <summary>
/// POST /webhooks/{github|gitlab|gitea}: verify the signature over the raw body, then turn a push into RequestDeployment
/// on the bus. The deployment id is derived from the host's delivery id, so a redelivered hook names the deployment that
/// already exists and the saga, which starts a deployment only once per id, starts nothing new.
/// </summary>
public static partial class WebhookEndpoints
{
    public static void MapWebhooks(this WebApplication app) =>
        app.MapPost("/webhooks/{host}", HandleAsync);

    static async Task<IResult> HandleAsync(string host, HttpRequest request, IPublishEndpoint publish, IRequestClient<CheckWebhookPush> checks, IOptions<WebhookOptions> options,
        IConfiguration configuration, TimeProvider clock, ILogger<WebhookOptions> logger, SealedSecrets secrets, CancellationToken token)
    {
        if (GitHost.Find(host) is not { } git)
            return Problem(404, "Unknown git host", $"'{host}' is not a supported git host: use /webhooks/github, /webhooks/gitlab or /webhooks/gitea.");
        var secret = configuration[WebhookOptions.SecretVariable];
        if (string.IsNullOrEmpty(secret))
            return Problem(503, "Webhooks are not configured",
                $"This RAD has no webhook secret, so it cannot tell a real {git.Name} hook from a forged one: set {WebhookOptions.SecretVariable} and restart it.");

        var body = await ReadBodyAsync(request, token);
        if (body is null)
            return Problem(413, "Payload too large", $"Webhook bodies are limited to {WebhookOptions.MaxBodyBytes} bytes (1 MiB).");

        var signature = request.Headers[git.SignatureHeader].ToString();
        if (signature.Length == 0)
            return Problem(401, "Missing signature", $"The request has no {git.SignatureHeader} header; configure the webhook's secret in {git.Name}.");
        if (!git.Verify(body, signature, secret))
        {
            logger.LogWarning("Rejected a {Host} webhook with a wrong {Header}", git.Name, git.SignatureHeader);
            return Problem(401, "Invalid signature", $"{git.SignatureHeader} does not match this RAD's webhook secret.");
        }

        var eventName = request.Headers[git.EventHeader].ToString();
        if (git.IsPing(eventName))
            return Results.Ok(new { message = "pong: the secret matches; pushes will deploy" });
        if (!git.IsPush(eventName))
            return Results.Accepted(value: new { note = $"event '{eventName}' acknowledged and ignored: only pushes deploy" });

        PushEvent push;
        try
        {
            using var json = JsonDocument.Parse(body);
            push = git.ReadPush(json.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidPayloadException)
        {
            return Problem(400, "Not a push payload", $"The {git.Name} push payload could not be read: {e.Message}.");
        }

        var settings = options.Value;
        var (target, parameter, refused) = WebhookTarget.Resolve(settings, push.CloneUrl, request.Query);
        if (target is null)
        {
            logger.LogWarning("Refused a {Host} webhook for {Repository}: its query parameter {Parameter} tried to choose where it deploys",
                git.Name, Redaction.Credentials(push.CloneUrl), parameter);
            return Results.Problem(statusCode: 400, title: $"Query parameter '{parameter}' not allowed", detail: refused,
                extensions: new Dictionary<string, object?> { ["parameter"] = parameter });
        }
        var (cluster, configPath) = (target.Cluster, target.ConfigPath);
        if (!DnsLabel.IsValid(cluster))
            return Problem(400, "Invalid cluster", $"The query parameter cluster=\"{cluster}\" is not a cluster name: lowercase letters, digits and '-'.");
        if (configPath.StartsWith('/') || configPath.Split('/').Contains(".."))
            return Problem(400, "Invalid config path", $"The query parameter config=\"{configPath}\" must be a path relative to the repository root, without '..'.");

        if (push.DeletesRef)
            return Results.Accepted(value: new { note = $"{push.Ref} was deleted; nothing to deploy" });
        if (push.Branch is not { } branch)
            return Results.Accepted(value: new { note = $"{push.Ref} is not a branch; only branch pushes deploy" });
        if (SkipReason(branch, push.DefaultBranch, settings.Branches) is { } skipped)
            return Results.Accepted(value: new { note = skipped });
        if (!CommitSha().IsMatch(push.After))
            return Problem(400, "Not a push payload", $"'after' is \"{push.After}\", not a commit SHA.");

        var delivery = git.DeliveryHeaders.Select(h => request.Headers[h].ToString()).FirstOrDefault(v => v.Length > 0);
        if (!settings.AllowOlderCommits && await PushChecks.RefusalAsync(checks, git.Name, delivery, push, cluster, settings.CheckTimeout, token) is { } older)
            return older;
        var id = delivery is null ? NewId.NextGuid() : DeploymentIdFor(git.Name, delivery);
        // A clone URL with credentials in it: sealed before it goes on the bus.
        var (repository, credentials) = secrets.SealRepository(push.CloneUrl);
        await publish.Publish(new RequestDeployment(id, repository, push.After, configPath, cluster, clock.GetUtcNow(), Trigger: $"webhook:{git.Name}",
            Credentials: credentials, RefuseOlderCommit: !settings.AllowOlderCommits && !push.Forced), token);
        logger.LogInformation("{Host} push of {Branch} at {Commit} ({Repository}, delivery {Delivery}) starts deployment {DeploymentId}",
            git.Name, branch, push.After, Redaction.Credentials(push.CloneUrl), delivery ?? "none", id);
        return Results.Accepted($"/api/deployments/{id}", new
        {
            id,
            repository = Redaction.Credentials(push.CloneUrl),
            branch,
            commit = push.After,
            cluster,
            status = $"/api/deployments/{id}",
        });
    }

    /// <summary>The same delivery always names the same deployment.</summary>
    public static Guid DeploymentIdFor(string host, string delivery) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"rad-webhook:{host}:{delivery}")).AsSpan(0, 16));

    /// <summary>Why this branch's push does not deploy, or null when it does.</summary>
    public static string? SkipReason(string branch, string? defaultBranch, IReadOnlyList<string> patterns)
    {
        if (patterns.Count == 0)
            return branch == defaultBranch ? null
                : $"branch '{branch}' is not deployed: only the default branch ('{defaultBranch ?? "unknown"}') is; list others in Rad__Webhooks__Branches__0, __1, ... (patterns such as release/*)";
        return patterns.Any(p => Glob(p).IsMatch(branch)) ? null
            : $"branch '{branch}' is not deployed: it matches none of {string.Join(", ", patterns)} (Rad:Webhooks:Branches)";
    }

    static Regex Glob(string pattern) => new("^" + Regex.Escape(pattern).Replace(@"\*", ".*") + "$", RegexOptions.CultureInvariant);

    /// <summary>The body, or null when it is larger than the limit (read no further than one byte past it).</summary>
    static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken token)
    {
        if (request.ContentLength > WebhookOptions.MaxBodyBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, token)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > WebhookOptions.MaxBodyBytes)
                return null;
        }
        return buffer.ToArray();
    }

    static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex CommitSha();
}
