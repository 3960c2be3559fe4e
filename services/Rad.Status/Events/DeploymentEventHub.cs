using System.Collections.Concurrent;
using System.Threading.Channels;
using Rad.Contracts;

namespace Rad.Status.Events;

/// <summary>
/// Hands the DeploymentProgressed messages this instance receives to the live streams that watch that deployment, and
/// to the streams that watch every deployment (the dashboard's list).
/// </summary>
public sealed class DeploymentEventHub
{
    // A follower of every deployment that stops reading (a stalled browser tab) must not grow without bound: it loses the oldest messages.
    const int AllDeploymentsBacklog = 1024;

    readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _watchers = new();
    readonly ConcurrentDictionary<Subscription, byte> _allWatchers = new();

    public Subscription Subscribe(Guid deploymentId)
    {
        var subscription = new Subscription(this, deploymentId, Channel.CreateUnbounded<DeploymentProgressed>(new UnboundedChannelOptions { SingleReader = true }));
        _watchers.GetOrAdd(deploymentId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    public Subscription SubscribeAll()
    {
        var subscription = new Subscription(this, null, Channel.CreateBounded<DeploymentProgressed>(
            new BoundedChannelOptions(AllDeploymentsBacklog) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest }));
        _allWatchers.TryAdd(subscription, 0);
        return subscription;
    }

    public void Deliver(DeploymentProgressed progressed)
    {
        foreach (var watcher in _allWatchers.Keys)
            watcher.Channel.Writer.TryWrite(progressed);
        if (!_watchers.TryGetValue(progressed.DeploymentId, out var watchers))
            return;
        foreach (var watcher in watchers.Keys)
            watcher.Channel.Writer.TryWrite(progressed);
    }

    void Remove(Subscription subscription)
    {
        if (subscription.DeploymentId is not { } id)
        {
            _allWatchers.TryRemove(subscription, out _);
            return;
        }
        if (!_watchers.TryGetValue(id, out var watchers))
            return;
        watchers.TryRemove(subscription, out _);
        if (watchers.IsEmpty)
            _watchers.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Subscription, byte>>(id, watchers));
    }

    /// <summary>A stream's place in the hub; <see cref="DeploymentId"/> is null for a follower of every deployment.</summary>
    public sealed class Subscription(DeploymentEventHub hub, Guid? deploymentId, Channel<DeploymentProgressed> channel) : IDisposable
    {
        public Guid? DeploymentId { get; } = deploymentId;
        public Channel<DeploymentProgressed> Channel { get; } = channel;

        public void Dispose() => hub.Remove(this);
    }
}
