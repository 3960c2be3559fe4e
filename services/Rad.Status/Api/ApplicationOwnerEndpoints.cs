using System.Text.Json;
using Rad.Contracts;
using Rad.Contracts.Config;
using Rad.Status.Persistence;

namespace Rad.Status.Api;

/// <summary>
/// Which repository an application belongs to on a cluster (GET /api/applications/NAME/owner) and an operator's transfer
/// to another repository (POST /api/applications/NAME/transfer), recorded with who, when, from and to. Both sit under
/// /api, behind the API token.
/// </summary>
public static class ApplicationOwnerEndpoints
{
    static readonly string[] TransferFields = ["to", "cluster", "reason", "by"];

    public static void MapApplicationOwnerEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/applications");

        api.MapGet("/{name}/owner", async (string name, string? cluster, ApplicationOwners owners, CancellationToken token) =>
        {
            cluster ??= LocalCluster.Name;
            if (!DnsLabel.IsValid(cluster))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["cluster"] = [$"\"{Excerpt.Of(cluster, 63)}\" is not a cluster name: lowercase letters, digits and '-'."] });
            return await owners.OwnerAsync(cluster, name, token) is { } owner
                ? Results.Ok(View(owner))
                : NoOwner(name, cluster);
        });

        api.MapPost("/{name}/transfer", async (string name, HttpRequest request, ApplicationOwners owners, TimeProvider clock,
            ILogger<ApplicationOwners> logger, CancellationToken token) =>
        {
            var (body, errors) = await ReadTransferAsync(request, token);
            if (body is null)
                return Results.ValidationProblem(errors, title: "The transfer request is not valid.");
            var current = await owners.OwnerAsync(body.Cluster, name, token);
            if (current is null)
                return NoOwner(name, body.Cluster);
            if (RepositoryIdentity.Same(current.Repository, body.To))
                return Results.Problem(statusCode: 409, title: "Already its owner",
                    detail: $"application '{name}' on cluster '{body.Cluster}' already belongs to {current.Repository}.");
            var from = await owners.TransferAsync(body.Cluster, name, body.To, body.By, body.Reason, clock.GetUtcNow(), token);
            if (from is null)
                return NoOwner(name, body.Cluster);
            logger.LogInformation("Application {Application} on cluster {Cluster} transferred from {From} to {To} by {Actor}",
                name, body.Cluster, from, RepositoryIdentity.WithoutUserInfo(body.To), body.By);
            return Results.Ok(View((await owners.OwnerAsync(body.Cluster, name, token))!));
        });
    }

    static object View(Saga.ApplicationOwnerRecord owner) => new
    {
        application = owner.Application,
        cluster = owner.Cluster,
        repository = owner.Repository,
        since = owner.Since,
        history = owner.Events.Select(e => new { action = e.Action, from = e.From, to = e.To, by = e.Actor, reason = e.Reason, deploymentId = e.DeploymentId, at = e.At }),
    };

    static IResult NoOwner(string name, string cluster) =>
        Results.Problem(statusCode: 404, title: "Application not found",
            detail: $"no repository owns an application named '{Excerpt.Of(name, 100)}' on cluster {cluster}: RAD has never deployed it there (GET /api/applications lists them).");

    sealed record TransferRequest(string To, string Cluster, string? Reason, string By);

    /// <summary>{"to": "REPOSITORY", "cluster", "reason", "by"}: only to is required (cluster local, by "api").</summary>
    static async Task<(TransferRequest? Body, Dictionary<string, string[]> Errors)> ReadTransferAsync(HttpRequest request, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var (root, notJson) = await RequestJson.ReadAsync(request, """{"to": "https://host/org/repo.git", "cluster": "local", "reason": "why"}""", token);
        if (notJson is not null || root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = [notJson ?? """The request body must be a JSON object such as {"to": "https://host/org/repo.git"}."""];
            return (null, errors);
        }
        foreach (var (field, unknown) in KnownFields.Unknown(root, TransferFields))
            errors[field] = [$"{field} {unknown}."];
        string? Text(string field, int max, bool required = false)
        {
            if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                    errors[field] = [$"{field} is required: the repository that is to own the application, e.g. \"https://host/org/repo.git\"."];
                return null;
            }
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
            if (string.IsNullOrEmpty(text) || text.Length > max || text.Any(char.IsControl))
            {
                errors[field] = [$"{field} must be a non-empty string of at most {max} characters without control characters."];
                return null;
            }
            return text;
        }
        var to = Text("to", DeploymentRequestReader.MaxRepositoryLength, required: true);
        var cluster = Text("cluster", DeploymentRequestReader.MaxClusterLength) ?? LocalCluster.Name;
        var reason = Text("reason", 500);
        var by = Text("by", 100) ?? "api";
        if (to is not null && RepositoryUrl.Problem(to, allowLocal: true) is { } problem)
            errors["to"] = [$"\"{RepositoryUrl.Redact(to)}\" {problem}."];
        if (!errors.ContainsKey("cluster") && !DnsLabel.IsValid(cluster))
            errors["cluster"] = [$"\"{cluster}\" is not a cluster name: lowercase letters, digits and '-', e.g. \"local\"."];
        return errors.Count == 0 ? (new TransferRequest(to!, cluster, reason, by), errors) : (null, errors);
    }
}
