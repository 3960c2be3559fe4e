namespace Rad.Builder;

/// <summary>
/// The builds running in this process, by deployment, so that a deployment that ends (failed, superseded, or done)
/// stops them; and the deployments that ended lately, so that their builds still waiting in the queue never start.
/// </summary>
public sealed class DeploymentBuilds
{
    const int RememberedEnded = 10_000;

    readonly Lock _lock = new();
    readonly Dictionary<Guid, List<CancellationTokenSource>> _running = [];
    readonly HashSet<Guid> _ended = [];
    readonly Queue<Guid> _endedOrder = new();

    /// <summary>A token that the end of the deployment cancels, or null when the deployment has ended already.</summary>
    public Build? Begin(Guid deploymentId, CancellationToken token)
    {
        lock (_lock)
        {
            if (_ended.Contains(deploymentId))
                return null;
            var source = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (!_running.TryGetValue(deploymentId, out var builds))
                _running[deploymentId] = builds = [];
            builds.Add(source);
            return new Build(this, deploymentId, source);
        }
    }

    /// <summary>The deployment ended: its running builds are cancelled, and any of its builds that comes later is not started.</summary>
    public int End(Guid deploymentId)
    {
        List<CancellationTokenSource>? builds;
        lock (_lock)
        {
            if (_ended.Add(deploymentId))
            {
                _endedOrder.Enqueue(deploymentId);
                if (_endedOrder.Count > RememberedEnded)
                    _ended.Remove(_endedOrder.Dequeue());
            }
            if (!_running.Remove(deploymentId, out builds))
                return 0;
        }
        foreach (var build in builds)
            build.Cancel();
        return builds.Count;
    }

    /// <summary>The builds running now, across deployments.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
                return _running.Values.Sum(b => b.Count);
        }
    }

    void Finish(Guid deploymentId, CancellationTokenSource source)
    {
        lock (_lock)
        {
            if (_running.TryGetValue(deploymentId, out var builds) && builds.Remove(source) && builds.Count == 0)
                _running.Remove(deploymentId);
        }
        source.Dispose();
    }

    /// <summary>One build of a deployment; disposing it forgets it.</summary>
    public sealed class Build(DeploymentBuilds owner, Guid deploymentId, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose() => owner.Finish(deploymentId, source);
    }
}
