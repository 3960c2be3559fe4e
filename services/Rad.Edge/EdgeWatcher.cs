using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Rad.Docker;

namespace Rad.Edge;

/// <summary>Reconciles on every Docker service event and every event of a Swarm task's container (a task started, died, was scaled away), and every few seconds besides.</summary>
public sealed class EdgeWatcher(IDockerClient docker, EdgeReconciler reconciler, IOptions<EdgeOptions> options, ILogger<EdgeWatcher> logger)
    : BackgroundService
{
    int _started;
    readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(WatchEventsAsync(stoppingToken), ReconcileLoopAsync(stoppingToken));

    /// <summary>
    /// Swarm records a task as running a few milliseconds after its container's start event (3-8 ms measured here), and
    /// that change comes with no event of its own, so a start is looked at once more this long after the first look.
    /// </summary>
    static readonly TimeSpan SettleInterval = TimeSpan.FromMilliseconds(15);

    async Task ReconcileLoopAsync(CancellationToken token)
    {
        _nudges.Writer.TryWrite(true);
        while (!token.IsCancellationRequested)
        {
            using var resync = CancellationTokenSource.CreateLinkedTokenSource(token);
            resync.CancelAfter(options.Value.ResyncInterval);
            try
            {
                await _nudges.Reader.ReadAsync(resync.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
            }
            var started = Interlocked.Exchange(ref _started, 0) == 1;
            try
            {
                await reconciler.ReconcileAsync(token);
                if (started)
                {
                    await Task.Delay(SettleInterval, token);
                    await reconciler.ReconcileAsync(token);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Edge reconcile failed; retrying");
                await Task.Delay(500, token);
            }
        }
    }

    Task WatchEventsAsync(CancellationToken token) =>
        DockerEvents.FollowAsync(docker, DockerApi.Filters(("type", "container"), ("type", "service")), new Nudge(this), logger, token);

    /// <summary>
    /// Any service event, and any event of a Swarm task's container, is a reason to reconcile; the bounded channel folds a
    /// burst of them into one. Other containers (a build's steps above all: each creates, and a RUN also starts, a
    /// container of its own) route nothing; with 4 builds running they kept the edge reconciling back to back.
    /// </summary>
    sealed class Nudge(EdgeWatcher watcher) : IProgress<Message>
    {
        public void Report(Message value)
        {
            if (value.Type == "container" && value.Actor?.Attributes?.Label(SwarmTasks.ServiceNameLabel) is not { Length: > 0 })
                return;
            if (value.Type == "container" && value.Action == "start")
                Interlocked.Exchange(ref watcher._started, 1);
            watcher._nudges.Writer.TryWrite(true);
        }
    }
}
