using System.Collections.Concurrent;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Hosting;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>
/// The engine's container events (start, die) by the Swarm service the container belongs to, so a rollout waiting on a
/// service's tasks looks again as soon as one of them changes instead of at its next poll. Waits still end after their
/// poll interval without an event: an event only makes a look sooner, it is never needed for one. In a process that
/// does not run this as a hosted service, every wait is just the poll interval.
/// </summary>
public sealed class ContainerEvents(IDockerClient docker, ILogger<ContainerEvents> logger) : BackgroundService
{
    readonly ConcurrentDictionary<string, TaskCompletionSource> _waits = new(StringComparer.Ordinal);

    /// <summary>Waits until a container of <paramref name="service"/> starts or dies, or <paramref name="limit"/> passes; true for an event.</summary>
    public async Task<bool> WaitAsync(string service, TimeSpan limit, CancellationToken token)
    {
        var signal = _waits.GetOrAdd(service, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(limit);
        try
        {
            await signal.Task.WaitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            // Only this very signal: another waiter may have put a fresh one there since it fired.
            _waits.TryRemove(new KeyValuePair<string, TaskCompletionSource>(service, signal));
        }
    }

    /// <summary>Wakes the waits on <paramref name="service"/>.</summary>
    public void Signal(string service)
    {
        if (_waits.TryRemove(service, out var signal))
            signal.TrySetResult();
    }

    // Until a broken stream is back, waits end by their poll interval, as they would without events.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        DockerEvents.FollowAsync(docker,
            DockerApi.Filters(("type", "container"), ("event", "start"), ("event", "die"), ("label", SwarmTasks.ServiceNameLabel)), new Progress(this), logger, stoppingToken);

    sealed class Progress(ContainerEvents events) : IProgress<Message>
    {
        public void Report(Message value)
        {
            if (value.Actor?.Attributes?.Label(SwarmTasks.ServiceNameLabel) is { Length: > 0 } service)
                events.Signal(service);
        }
    }
}
