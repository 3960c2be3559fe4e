using Rad.Status.Persistence;

namespace Rad.Status.Api;

/// <summary>
/// The ids of the latest deployments, newest first, kept in memory for GET /api/deployments: read again from PostgreSQL
/// when a deployment moved (every DeploymentProgressed this instance hears, every request this instance records) or
/// after <see cref="MaxAge"/>, which bounds how late a request recorded by another status instance, and not yet taken
/// by the saga, shows up. Only the list's order and membership come from here: each view is read fresh unless its
/// deployment has ended (<see cref="FinishedDeploymentViews"/>).
/// </summary>
public sealed class LatestDeployments(DeploymentQueries queries, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    readonly SemaphoreSlim _reading = new(1, 1);
    long _generation;
    Snapshot? _current;

    sealed record Snapshot(IReadOnlyList<Guid> Ids, DateTimeOffset ReadAt, long Generation);

    /// <summary>Something changed: the next list reads the database again.</summary>
    public void Changed() => Interlocked.Increment(ref _generation);

    public async Task<IReadOnlyList<Guid>> IdsAsync(int limit, CancellationToken token)
    {
        if (Fresh() is { } fresh)
            return Take(fresh, limit);
        // One reader at a time: a burst of requests after a change costs one query, not one each.
        await _reading.WaitAsync(token);
        try
        {
            if (Fresh() is { } readMeanwhile)
                return Take(readMeanwhile, limit);
            // The generation is taken before the query: a change during it makes the result stale at once.
            var generation = Interlocked.Read(ref _generation);
            var ids = await queries.LatestIdsAsync(DeploymentEndpoints.MaxListLimit, token);
            Volatile.Write(ref _current, new Snapshot(ids, clock.GetUtcNow(), generation));
            return Take(ids, limit);
        }
        finally
        {
            _reading.Release();
        }
    }

    IReadOnlyList<Guid>? Fresh()
    {
        var current = Volatile.Read(ref _current);
        return current is not null && current.Generation == Interlocked.Read(ref _generation) && clock.GetUtcNow() - current.ReadAt < MaxAge
            ? current.Ids
            : null;
    }

    static IReadOnlyList<Guid> Take(IReadOnlyList<Guid> ids, int limit) => ids.Count <= limit ? ids : ids.Take(limit).ToList();
}
