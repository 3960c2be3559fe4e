using System.Collections.Concurrent;
using Rad.Status.Persistence;

namespace Rad.Status.Api;

/// <summary>
/// The latest deployments, newest first, kept in memory for GET /api/deployments: their ids, and each list answered
/// from them, read again from PostgreSQL when a deployment moved (every DeploymentProgressed this instance hears, every
/// request this instance records) or after <see cref="MaxAge"/>, which bounds how late a change made through another
/// status instance shows up. Ended deployments' views come from <see cref="FinishedDeploymentViews"/>; the others are
/// read when a list is made. So while nothing moves a list costs no query and no serializing, however many of its
/// deployments are still running or pending (one such deployment among the 20 used to cost each request a query, and
/// the list served 2,100-2,500 requests/s here instead of 20,000).
/// </summary>
public sealed class LatestDeployments(DeploymentQueries queries, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    /// <summary>How many different limits one snapshot keeps the answer for (the dashboard and the CLI use one or two).</summary>
    const int KeptLists = 4;

    readonly SemaphoreSlim _reading = new(1, 1);
    long _generation;
    Snapshot? _current;

    sealed record Snapshot(IReadOnlyList<Guid> Ids, DateTimeOffset ReadAt, long Generation)
    {
        public ConcurrentDictionary<int, byte[]> Lists { get; } = new();
    }

    /// <summary>Something changed: the next list reads the database again.</summary>
    public void Changed() => Interlocked.Increment(ref _generation);

    /// <summary>
    /// The JSON list of the latest <paramref name="limit"/> deployments: the one made for the current snapshot, else
    /// made now by <paramref name="render"/> from their ids (and kept while the snapshot is current).
    /// </summary>
    public async Task<byte[]> ListAsync(int limit, Func<IReadOnlyList<Guid>, CancellationToken, Task<byte[]>> render, CancellationToken token)
    {
        var snapshot = await SnapshotAsync(token);
        if (snapshot.Lists.TryGetValue(limit, out var kept))
            return kept;
        var json = await render(snapshot.Ids.Count <= limit ? snapshot.Ids : snapshot.Ids.Take(limit).ToList(), token);
        // A change while it was made moved the generation: this snapshot is not served again, so neither is the list.
        if (snapshot.Lists.Count < KeptLists)
            snapshot.Lists.TryAdd(limit, json);
        return json;
    }

    async Task<Snapshot> SnapshotAsync(CancellationToken token)
    {
        if (Fresh() is { } fresh)
            return fresh;
        // One reader at a time: a burst of requests after a change costs one query, not one each.
        await _reading.WaitAsync(token);
        try
        {
            if (Fresh() is { } readMeanwhile)
                return readMeanwhile;
            // The generation is taken before the query: a change during it makes the result stale at once.
            var generation = Interlocked.Read(ref _generation);
            var ids = await queries.LatestIdsAsync(DeploymentEndpoints.MaxListLimit, token);
            var snapshot = new Snapshot(ids, clock.GetUtcNow(), generation);
            Volatile.Write(ref _current, snapshot);
            return snapshot;
        }
        finally
        {
            _reading.Release();
        }
    }

    Snapshot? Fresh()
    {
        var current = Volatile.Read(ref _current);
        return current is not null && current.Generation == Interlocked.Read(ref _generation) && clock.GetUtcNow() - current.ReadAt < MaxAge
            ? current
            : null;
    }
}
