using MassTransit;
using Rad.Contracts;
using Rad.Status.Persistence;

namespace Rad.Status.Api;

public static class DeploymentEndpoints
{
    public const int MaxListLimit = 200;

    public static void MapDeploymentEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/deployments");

        api.MapPost("", async (HttpRequest request, DeploymentQueries queries, IPublishEndpoint publish, TimeProvider clock, CancellationToken token) =>
        {
            var (body, errors) = await DeploymentRequestReader.ReadAsync(request, token);
            if (body is null)
                return Results.ValidationProblem(errors, title: "The deployment request is not valid.");
            var id = NewId.NextGuid();
            var now = clock.GetUtcNow();
            await queries.RecordRequestAsync(id, body.Repository, body.Ref, body.ConfigPath, body.Cluster, now, token);
            await publish.Publish(new RequestDeployment(id, body.Repository, body.Ref, body.ConfigPath, body.Cluster, now), token);
            return Results.Accepted($"/api/deployments/{id}", new
            {
                id,
                repository = Redaction.Credentials(body.Repository),
                body.Ref,
                body.ConfigPath,
                body.Cluster,
                state = "Pending",
                status = $"/api/deployments/{id}",
                log = $"/api/deployments/{id}/log",
            });
        });

        api.MapGet("", async (int? limit, DeploymentQueries queries, CancellationToken token) =>
        {
            var take = limit ?? 20;
            if (take is < 1 or > MaxListLimit)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxListLimit}."] });
            var latest = await queries.LatestAsync(take, token);
            return Results.Ok(latest.Select(DeploymentView.From));
        });

        api.MapGet("/{id:guid}", async (Guid id, DeploymentQueries queries, CancellationToken token) =>
            await queries.FindAsync(id, token) is { } snapshot
                ? Results.Ok(DeploymentView.From(snapshot))
                : NotFound(id));

        api.MapGet("/{id:guid}/log", async (Guid id, DeploymentQueries queries, CancellationToken token) =>
        {
            if (await queries.FindAsync(id, token) is not { } snapshot)
                return NotFound(id);
            var events = await queries.EventsAsync(id, token);
            return Results.Text(StatusLog.Format(events, snapshot.Saga.CreatedAt, snapshot.Saga.CompletedAt), "text/plain; charset=utf-8");
        });
    }

    static IResult NotFound(Guid id) =>
        Results.Problem(statusCode: 404, title: "Deployment not found", detail: $"No deployment has id {id}.");
}
