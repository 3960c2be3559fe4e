using System.Collections.Concurrent;

namespace Rad.Clusters.Swarm;

/// <summary>
/// One rollout at a time per application on the local Swarm, and never while the sweeper removes one of its slots: both
/// read the slots' labels and act on them.
/// </summary>
public sealed class ApplicationLocks
{
    readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string application, CancellationToken token)
    {
        var gate = _locks.GetOrAdd(application, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(token);
        return new Held(gate);
    }

    sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                gate.Release();
        }
    }
}
