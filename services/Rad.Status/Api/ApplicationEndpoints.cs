using System.Text.Json;
using MassTransit;
using Rad.Contracts;
using Rad.Status.Persistence;
using Rad.Status.Saga;

namespace Rad.Status.Api;

/// <summary>
/// /api/applications: what runs where (the current revisions, with the replicas the cluster reports now), each
/// application's history, rollback to an earlier revision (a deployment like any other, which pins the application),
/// and unpin.
/// </summary>
public static class ApplicationEndpoints
{
    static readonly TimeSpan LiveTimeout = TimeSpan.FromSeconds(3);

    public static void MapApplicationEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/applications");

        api.MapGet("", async (string? cluster, ReleaseHistory history, IRequestClient<DescribeApplications> describe, CancellationToken token) =>
        {
            if (cluster is not null && !DnsLabel.IsValid(cluster))
                return InvalidCluster(cluster);
            var current = await history.CurrentAllAsync(cluster, token);
            var pins = (await history.AllPinsAsync(cluster, token)).ToDictionary(p => (p.Cluster, p.Application));
            var live = new Dictionary<string, ApplicationsDescribed>();
            foreach (var name in current.Select(c => c.Cluster).Distinct())
                live[name] = await DescribeAsync(describe, name, token);
            return Results.Ok(current.Select(revision =>
            {
                var described = live[revision.Cluster];
                var running = described.Applications.FirstOrDefault(a => a.Name == revision.Application);
                return new ApplicationStatusView(revision.Application, revision.Cluster, revision.Revision, revision.Commit, revision.Image,
                    new ReplicaCounts(revision.Spec.Replicas, described.Problem is null ? running?.Running ?? 0 : null, described.Problem is null ? running?.Healthy ?? 0 : null),
                    running?.Endpoint, revision.Strategy, revision.CreatedAt, revision.DeploymentId,
                    pins.TryGetValue((revision.Cluster, revision.Application), out var pin) ? new PinView(pin.Revision, pin.PinnedBy, pin.Reason, pin.PinnedAt) : null,
                    described.Problem ?? (running is null ? "the cluster runs nothing of it now" : null));
            }));
        });

        api.MapGet("/{name}/revisions", async (string name, string? cluster, ReleaseHistory history, CancellationToken token) =>
        {
            cluster ??= LocalCluster.Name;
            if (!DnsLabel.IsValid(cluster))
                return InvalidCluster(cluster);
            var revisions = await history.RevisionsAsync(cluster, name, token);
            if (revisions.Count == 0)
                return UnknownApplication(name, cluster);
            var current = revisions.FirstOrDefault(r => r.Outcome != RevisionOutcomes.Failed);
            return Results.Ok(revisions.Select(r => new RevisionView(r.Revision, r.Outcome, r.Commit, r.Image, r.Strategy, r.Spec.Replicas, r.Spec.Port,
                r.DeploymentId, r.CreatedAt, r.Note, current is not null && r.Revision == current.Revision && r.Outcome != RevisionOutcomes.Removed)));
        });

        api.MapPost("/{name}/rollback", async (string name, HttpRequest request, ReleaseHistory history, DeploymentQueries queries, IPublishEndpoint publish,
            LatestDeployments latestDeployments, TimeProvider clock, CancellationToken token) =>
        {
            var (body, errors) = await ReadAsync(request, token);
            if (body is null)
                return Results.ValidationProblem(errors, title: "The rollback request is not valid.");
            var revisions = await history.RevisionsAsync(body.Cluster, name, token);
            if (revisions.Count == 0)
                return UnknownApplication(name, body.Cluster);
            var (target, problem) = Target(revisions, body.Revision, name);
            if (target is null)
                return Results.Problem(statusCode: 409, title: "No revision to roll back to", detail: problem);
            var id = NewId.NextGuid();
            var command = new RequestRollback(id, body.Cluster, target.Revision, target.Repository, target.Commit, target.Spec, target.Image,
                body.By, body.Reason, clock.GetUtcNow());
            await queries.RecordRollbackAsync(command, token);
            latestDeployments.Changed();
            await publish.Publish(command, token);
            return Results.Accepted($"/api/deployments/{id}", new
            {
                id,
                application = name,
                cluster = body.Cluster,
                revision = target.Revision,
                image = target.Image,
                state = DeploymentStates.Pending,
                status = $"/api/deployments/{id}",
                events = $"/api/deployments/{id}/events",
            });
        });

        api.MapPost("/{name}/unpin", async (string name, HttpRequest request, ReleaseHistory history, TimeProvider clock, CancellationToken token) =>
        {
            var (body, errors) = await ReadAsync(request, token);
            if (body is null)
                return Results.ValidationProblem(errors, title: "The unpin request is not valid.");
            return await history.UnpinAsync(body.Cluster, name, body.By, body.Reason, clock.GetUtcNow(), token)
                ? Results.Ok(new { application = name, cluster = body.Cluster, pinned = false })
                : Results.Problem(statusCode: 404, title: "Not pinned", detail: $"{name} is not pinned on cluster {body.Cluster}.");
        });
    }

    /// <summary>The revision asked for, or the last one that served before the current one with another image.</summary>
    static (RevisionRecord? Target, string? Problem) Target(IReadOnlyList<RevisionRecord> revisions, int? wanted, string name)
    {
        var current = revisions.FirstOrDefault(r => r.Outcome != RevisionOutcomes.Failed && r.Outcome != RevisionOutcomes.Removed);
        var served = revisions.Where(r => r.Outcome is RevisionOutcomes.Succeeded or RevisionOutcomes.Restored).ToList();
        var choices = string.Join(", ", served.Where(r => r.Revision != current?.Revision).Select(r => r.Revision));
        if (wanted is { } number)
        {
            var revision = revisions.FirstOrDefault(r => r.Revision == number);
            if (revision is null)
                return (null, $"{name} has no revision {number}; revisions that served: {choices}");
            if (revision.Outcome is not (RevisionOutcomes.Succeeded or RevisionOutcomes.Restored))
                return (null, $"revision {number} of {name} {revision.Outcome} ({revision.Note}); pick one that served: {choices}");
            if (revision.Revision == current?.Revision)
                return (null, $"revision {number} is what {name} runs now");
            return (revision, null);
        }
        var earlier = served.Where(r => current is null || r.Revision < current.Revision).ToList();
        var target = earlier.FirstOrDefault(r => r.Image != current?.Image) ?? earlier.FirstOrDefault();
        return target is null ? (null, $"{name} has no earlier revision that served before revision {current?.Revision}") : (target, null);
    }

    sealed record ApplicationRequest(string Cluster, int? Revision, string? Reason, string By);

    /// <summary>{"cluster", "revision", "reason", "by"}: all optional (cluster local; by "api").</summary>
    static async Task<(ApplicationRequest? Body, Dictionary<string, string[]> Errors)> ReadAsync(HttpRequest request, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        JsonElement root = default;
        if (request.ContentLength is not 0)
        {
            (root, var notJson) = await RequestJson.ReadAsync(request, """{"cluster": "local", "revision": 3, "reason": "why"}""", token);
            if (notJson is not null)
            {
                errors["body"] = [notJson];
                return (null, errors);
            }
        }
        string? Text(string field, int max)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
                return null;
            if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > max)
            {
                errors[field] = [$"{field} must be a string of at most {max} characters."];
                return null;
            }
            return value.GetString();
        }
        var cluster = Text("cluster", 63) ?? LocalCluster.Name;
        if (!DnsLabel.IsValid(cluster))
            errors["cluster"] = [$"\"{cluster}\" is not a cluster name: lowercase letters, digits and '-', e.g. \"local\"."];
        int? revision = null;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("revision", out var number) && number.ValueKind != JsonValueKind.Null)
        {
            if (number.ValueKind == JsonValueKind.Number && number.TryGetInt32(out var n) && n > 0)
                revision = n;
            else
                errors["revision"] = ["revision must be a whole number from 1 (rad history NAME lists them)."];
        }
        var reason = Text("reason", 500);
        var by = Text("by", 100) ?? "api";
        return errors.Count == 0 ? (new ApplicationRequest(cluster, revision, reason, by), errors) : (null, errors);
    }

    internal static async Task<ApplicationsDescribed> DescribeAsync(IRequestClient<DescribeApplications> describe, string cluster, CancellationToken token)
    {
        try
        {
            var answer = await describe.GetResponse<ApplicationsDescribed>(new DescribeApplications(cluster), token, RequestTimeout.After(s: (int)LiveTimeout.TotalSeconds));
            return answer.Message;
        }
        catch (RequestTimeoutException)
        {
            return new ApplicationsDescribed(cluster, [], $"the deployer did not say within {LiveTimeout.TotalSeconds:0} s what runs on {cluster}");
        }
    }

    static IResult InvalidCluster(string cluster) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["cluster"] = [$"\"{cluster}\" is not a cluster name: lowercase letters, digits and '-'."] });

    static IResult UnknownApplication(string name, string cluster) =>
        Results.Problem(statusCode: 404, title: "Application not found", detail: $"RAD has never deployed an application named '{name}' on cluster {cluster} (GET /api/applications lists them).");
}
