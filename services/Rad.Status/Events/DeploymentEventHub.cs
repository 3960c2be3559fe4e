using System.Collections.Concurrent;
using System.Threading.Channels;
using Rad.Contracts;

namespace Rad.Status.Events;

/// <summary>Hands the DeploymentProgressed messages this instance receives to the live streams that watch that deployment.</summary>
public sealed class DeploymentEventHub
{
    readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _watchers = new();

    public Subscription Subscribe(Guid deploymentId)
    {
        var subscription = new Subscription(this, deploymentId);
        _watchers.GetOrAdd(deploymentId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    public void Deliver(DeploymentProgressed progressed)
    {
        if (!_watchers.TryGetValue(progressed.DeploymentId, out var watchers))
            return;
        foreach (var watcher in watchers.Keys)
            watcher.Channel.Writer.TryWrite(progressed);
    }

    void Remove(Subscription subscription)
    {
        if (!_watchers.TryGetValue(subscription.DeploymentId, out var watchers))
            return;
        watchers.TryRemove(subscription, out _);
        if (watchers.IsEmpty)
            _watchers.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Subscription, byte>>(subscription.DeploymentId, watchers));
    }

    public sealed class Subscription(DeploymentEventHub hub, Guid deploymentId) : IDisposable
    {
        public Guid DeploymentId { get; } = deploymentId;
        public Channel<DeploymentProgressed> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<DeploymentProgressed>(
            new UnboundedChannelOptions { SingleReader = true });

        public void Dispose() => hub.Remove(this);
    }
}
