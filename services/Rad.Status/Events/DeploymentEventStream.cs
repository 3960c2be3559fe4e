using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Rad.Contracts;
using Rad.Status.Api;
using Rad.Status.Persistence;
using Rad.Status.Saga;

namespace Rad.Status.Events;

/// <summary>
/// GET /api/deployments/{id}/events: Server-Sent Events, one per stage change. It subscribes to the bus-fed hub first,
/// then replays the stored events (after Last-Event-ID when the client resumes), then relays what the bus delivers;
/// a gap in the numbering (messages overtaking each other) is filled from the event log, which is committed before
/// any message announcing it is published. The stream ends with an "end" event once the deployment has ended.
/// The bus is not the only way to learn of progress: after <see cref="Resync"/> without a message the stored events and
/// state are read again, so a message the stream never got (its instance's temporary queue gone with a broker restart,
/// a publish lost after the commit) delays the stream by seconds instead of holding it open forever.
/// </summary>
public static class DeploymentEventStream
{
    static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>How long a stream waits for the bus before it reads the stored events itself; short enough for a follower, long enough to cost little.</summary>
    static readonly TimeSpan Resync = TimeSpan.FromSeconds(3);
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task StreamAsync(Guid id, HttpContext http, DeploymentQueries queries, DeploymentEventHub hub, CancellationToken token)
    {
        using var subscription = hub.Subscribe(id);
        if (await queries.FindAsync(id, token) is not { } snapshot)
        {
            await Results.Problem(statusCode: 404, title: "Deployment not found", detail: $"No deployment has id {id}.").ExecuteAsync(http);
            return;
        }

        var response = await StartAsync(http, token);

        try
        {
            var last = long.TryParse(http.Request.Headers["Last-Event-ID"], out var resumeAfter) && resumeAfter > 0 ? resumeAfter : 0;
            last = await WriteStoredAsync(response, queries, id, last, token);
            var state = PublicState.Of(snapshot.Saga.CurrentState);
            var quietSince = DateTimeOffset.UtcNow;
            while (!DeploymentStates.IsFinal(state))
            {
                if (await NextOrNoneAsync(subscription, Resync, token) is not { } progressed)
                {
                    // Nothing from the bus for a while: the stored log is the record. The state is read first: the saga commits
                    // a step's events with its state, so every event up to that state is in the log read after it.
                    var before = last;
                    if (await queries.FindAsync(id, token) is { } stored)
                        state = PublicState.Of(stored.Saga.CurrentState);
                    last = await WriteStoredAsync(response, queries, id, last, token);
                    if (last == before && DateTimeOffset.UtcNow - quietSince >= KeepAlive)
                    {
                        await response.WriteAsync(": keep-alive\n\n", token);
                        await response.Body.FlushAsync(token);
                        quietSince = DateTimeOffset.UtcNow;
                    }
                    else if (last != before)
                        quietSince = DateTimeOffset.UtcNow;
                    continue;
                }
                quietSince = DateTimeOffset.UtcNow;
                if (progressed.Changes.Count > 0 && progressed.Changes.Min(c => c.Sequence) > last + 1)
                    last = await WriteStoredAsync(response, queries, id, last, token);
                foreach (var change in progressed.Changes.Where(c => c.Sequence > last).OrderBy(c => c.Sequence))
                {
                    await WriteAsync(response, "stage", change.Sequence, StageData(change.Sequence, change.At, change.Stage, change.State, change.Message), token);
                    last = change.Sequence;
                }
                state = progressed.State;
            }
            var view = await queries.FindAsync(id, token) is { } final ? DeploymentViews.From(final) : null;
            await WriteAsync(response, "end", null, new
            {
                type = "end",
                state = view?.State ?? state,
                error = view?.Error,
                applications = view?.Applications.Select(a => new { a.Name, a.Endpoint, a.RunningReplicas, a.Replicas }),
            }, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    internal static async Task<HttpResponse> StartAsync(HttpContext http, CancellationToken token)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(token);
        return response;
    }

    /// <summary>The next message for this deployment, or null when none came within <paramref name="wait"/>.</summary>
    static async Task<DeploymentProgressed?> NextOrNoneAsync(DeploymentEventHub.Subscription subscription, TimeSpan wait, CancellationToken token)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(token);
        timer.CancelAfter(wait);
        try
        {
            return await subscription.Channel.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The next message for this deployment; while none comes, a comment line every 15 s keeps proxies from closing the stream.</summary>
    internal static async Task<DeploymentProgressed> NextAsync(DeploymentEventHub.Subscription subscription, HttpResponse response, CancellationToken token)
    {
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
            wait.CancelAfter(KeepAlive);
            try
            {
                return await subscription.Channel.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                await response.WriteAsync(": keep-alive\n\n", token);
                await response.Body.FlushAsync(token);
            }
        }
    }

    static async Task<long> WriteStoredAsync(HttpResponse response, DeploymentQueries queries, Guid id, long after, CancellationToken token)
    {
        foreach (var e in await queries.EventsAsync(id, token, after))
        {
            await WriteAsync(response, "stage", e.Sequence, StageData(e.Sequence, e.At, e.Stage, e.State, e.Message), token);
            after = e.Sequence;
        }
        return after;
    }

    static object StageData(long sequence, DateTimeOffset at, string stage, string state, string? message) =>
        new { type = "stage", sequence, stage, state, time = at, message };

    internal static async Task WriteAsync(HttpResponse response, string type, long? id, object data, CancellationToken token)
    {
        var frame = $"{(id is null ? "" : $"id: {id}\n")}event: {type}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n";
        await response.WriteAsync(frame, token);
        await response.Body.FlushAsync(token);
    }
}
