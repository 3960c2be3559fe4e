using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Hosting;
using Rad.Status.Events;
using Rad.Status.Persistence;
using Rad.Status.Saga;

namespace Rad.Status.Api;

public static class DeploymentEndpoints
{
    public const int MaxListLimit = 200;
    const string JsonContentType = "application/json; charset=utf-8";

    public static void MapDeploymentEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/deployments");

        api.MapPost("", async (HttpRequest request, DeploymentQueries queries, IPublishEndpoint publish, TimeProvider clock,
            IOptions<ConcurrencyOptions> concurrency, LatestDeployments latestDeployments, SealedSecrets secrets, CancellationToken token) =>
        {
            var (body, errors) = await DeploymentRequestReader.ReadAsync(request, token);
            if (body is null)
                return Results.ValidationProblem(errors, title: "The deployment request is not valid.");
            var id = NewId.NextGuid();
            // The rad CLI names itself in its User-Agent; anything else calling the API is "api".
            var trigger = request.Headers.UserAgent.ToString().StartsWith(RadCli.UserAgentProduct, StringComparison.Ordinal) ? "cli" : "api";
            // Credentials in the address are sealed here, before the request is stored or published.
            var (repository, credentials) = secrets.SealRepository(body.Repository);
            var command = new RequestDeployment(id, repository, body.Ref, body.ConfigPath, body.Cluster, clock.GetUtcNow(),
                body.Concurrency ?? concurrency.Value.Concurrency, trigger, body.Force, credentials);
            await queries.RecordRequestAsync(command, token);
            latestDeployments.Changed();
            await publish.Publish(command, token);
            return Results.Accepted($"/api/deployments/{id}", new
            {
                id,
                repository = Redaction.Credentials(body.Repository),
                body.Ref,
                body.ConfigPath,
                body.Cluster,
                command.Concurrency,
                command.Trigger,
                command.Force,
                state = DeploymentStates.Pending,
                status = $"/api/deployments/{id}",
                log = $"/api/deployments/{id}/log",
                events = $"/api/deployments/{id}/events",
            });
        });

        api.MapGet("", async (int? limit, DeploymentQueries queries, LatestDeployments latestDeployments, FinishedDeploymentViews finished, CancellationToken token) =>
        {
            var take = limit ?? 20;
            if (take is < 1 or > MaxListLimit)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxListLimit}."] });
            return Results.Bytes(await latestDeployments.ListAsync(take, async (latest, token) =>
            {
                // Ended deployments come from memory; only the others are read (and deserialized) from PostgreSQL.
                var missing = latest.Where(id => !finished.TryGet(id, out _)).ToList();
                var read = missing.Count == 0 ? null : await queries.FindManyAsync(missing, token);
                var views = new List<byte[]>(latest.Count);
                foreach (var id in latest)
                {
                    if (finished.TryGet(id, out var json))
                        views.Add(json);
                    else if (read is not null && read.TryGetValue(id, out var snapshot))
                        views.Add(finished.Serialize(DeploymentViews.From(snapshot)));
                }
                return FinishedDeploymentViews.Array(views);
            }, token), JsonContentType);
        });

        api.MapGet("/{id:guid}", async (Guid id, DeploymentQueries queries, FinishedDeploymentViews finished, CancellationToken token) =>
        {
            if (finished.TryGet(id, out var json))
                return Results.Bytes(json, JsonContentType);
            return await queries.FindAsync(id, token) is { } snapshot
                ? Results.Bytes(finished.Serialize(DeploymentViews.From(snapshot)), JsonContentType)
                : NotFound(id);
        });

        api.MapGet("/{id:guid}/log", async (Guid id, DeploymentQueries queries, CancellationToken token) =>
        {
            if (await queries.FindAsync(id, token) is not { } snapshot)
                return NotFound(id);
            var events = await queries.EventsAsync(id, token);
            return Results.Text(StatusLog.Format(events, snapshot.Saga.CreatedAt, snapshot.Saga.CompletedAt), "text/plain; charset=utf-8");
        });

        api.MapGet("/{id:guid}/events", DeploymentEventStream.StreamAsync);
        // Anything else under a deployment is not one: the same problem body as any other error, never an empty 404.
        api.MapGet("/{**rest}", (string rest) => Results.Problem(statusCode: 404, title: "Deployment not found",
            detail: $"'{Excerpt.Of(rest, 100)}' is not a deployment id: ids look like 0d3f0000-71c0-6271-29c3-08df4977c5cf (GET /api/deployments lists them)."));
        app.MapGet("/api/events", AllDeploymentsEventStream.StreamAsync);
    }

    static IResult NotFound(Guid id) =>
        Results.Problem(statusCode: 404, title: "Deployment not found", detail: $"No deployment has id {id}.");
}
