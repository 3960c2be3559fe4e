using Rad.Contracts;

namespace Rad.Status.Events;

/// <summary>
/// GET /api/events: Server-Sent Events for every deployment this status instance hears of, one "deployment" event per
/// DeploymentProgressed message (its id, public state and stage changes). It is a live feed without replay: a client
/// reads the current list from GET /api/deployments after the stream has started, and a client that reconnects reads
/// it again. The dashboard's deployments page follows it.
/// </summary>
public static class AllDeploymentsEventStream
{
    public static async Task StreamAsync(HttpContext http, DeploymentEventHub hub, CancellationToken token)
    {
        using var subscription = hub.SubscribeAll();
        var response = await DeploymentEventStream.StartAsync(http, token);
        try
        {
            // A first frame at once, so a client knows the stream is live before it reads the list.
            await DeploymentEventStream.WriteAsync(response, "ready", null, new { type = "ready" }, token);
            while (!token.IsCancellationRequested)
            {
                var progressed = await DeploymentEventStream.NextAsync(subscription, response, token);
                await DeploymentEventStream.WriteAsync(response, "deployment", null, new
                {
                    type = "deployment",
                    id = progressed.DeploymentId,
                    state = progressed.State,
                    changes = progressed.Changes.Select(c => new { c.Sequence, c.Stage, c.State, time = c.At, c.Message }),
                }, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
