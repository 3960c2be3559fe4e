using Microsoft.Extensions.Options;
using Rad.Contracts;

namespace Rad.Clusters;

/// <summary>
/// The replicas RAD's applications may have on one cluster in all (Rad:Deployer:ReplicaBudget, per cluster
/// Rad:Deployer:ReplicaBudgets:NAME), so no rad.json can fill the host that runs RAD's own database and broker. Before an
/// application rolls out, what serves on the cluster (without that application) plus what rollouts of this deployer
/// are bringing there, plus what it asks for, must fit; else the deploy fails before anything changes, naming the budget,
/// what runs and what was asked. Scaling an application down, or keeping its count, is never refused. While a deployment's
/// images build, <see cref="CheckAsync"/> makes the same count for all its applications at once, so a rad.json that cannot
/// fit fails before its builds end.
/// </summary>
public sealed class ReplicaBudget(IOptions<DeployerOptions> options, ILogger<ReplicaBudget> logger)
{
    const int NamedApplications = 8;

    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<(string Cluster, string Application), Claim> _claims = [];

    /// <summary>Holds the application's place in the budget until the returned claim is disposed (its rollout has ended, either way).</summary>
    public async Task<IDisposable> ClaimAsync(string clusterName, ICluster cluster, string application, int replicas, CancellationToken token)
    {
        // Counting and claiming under one lock, so two applications rolling out at once cannot both fit into the same room.
        await _gate.WaitAsync(token);
        try
        {
            var serving = await cluster.DesiredReplicasAsync(token);
            if (Refusal(clusterName, serving, [new ReplicaAsk(application, replicas)]) is { } refused)
            {
                logger.LogWarning("Replica budget refused {Application} on {Cluster}: {Reason}", application, clusterName, refused);
                throw new DeploymentFailedException(refused);
            }
            var claim = new Claim(this, (clusterName, application), replicas);
            _claims[(clusterName, application)] = claim;
            return claim;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Whether a deployment's applications, all rolled out, would fit: the same count as <see cref="ClaimAsync"/> makes for
    /// the last of them, without claiming anything. Returns the refusal with the first application that asks for more than
    /// it runs, or null when they fit.
    /// </summary>
    public async Task<(string Application, string Reason)?> CheckAsync(string clusterName, ICluster cluster, IReadOnlyList<ReplicaAsk> asks,
        CancellationToken token)
    {
        var serving = await cluster.DesiredReplicasAsync(token);
        await _gate.WaitAsync(token);
        try
        {
            return Refusal(clusterName, serving, asks) is { } refused
                ? (asks.First(a => a.Replicas > serving.GetValueOrDefault(a.Application)).Application, refused)
                : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Under the gate: what serves besides the asked applications, plus what other rollouts bring, plus the asks; null when it fits or nothing grows.</summary>
    string? Refusal(string cluster, IReadOnlyDictionary<string, int> serving, IReadOnlyList<ReplicaAsk> asks)
    {
        var budget = options.Value.ReplicaBudgetOf(cluster);
        var asked = asks.Select(a => a.Application).ToHashSet(StringComparer.Ordinal);
        var others = serving.Where(a => !asked.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var arriving = _claims.Where(c => c.Key.Cluster == cluster && !asked.Contains(c.Key.Application))
            .Select(c => (c.Key.Application, c.Value.Replicas)).ToList();
        foreach (var (name, count) in arriving)
            others[name] = Math.Max(others.GetValueOrDefault(name), count);
        var total = others.Values.Sum() + asks.Sum(a => a.Replicas);
        // Scaling down, or keeping a count, is never refused.
        if (total <= budget || !asks.Any(a => a.Replicas > serving.GetValueOrDefault(a.Application)))
            return null;
        var setting = options.Value.ReplicaBudgets.ContainsKey(cluster) ? $"Rad__Deployer__ReplicaBudgets__{cluster}" : "Rad__Deployer__ReplicaBudget";
        var running = others.Values.Sum();
        var listed = others.Where(a => a.Value > 0).OrderByDescending(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).ToList();
        var rolling = arriving.Select(a => a.Application).ToHashSet(StringComparer.Ordinal);
        var names = string.Join(", ", listed.Take(NamedApplications).Select(a => $"{a.Key} {a.Value}{(rolling.Contains(a.Key) ? " rolling out" : "")}"));
        var more = listed.Count > NamedApplications ? $" and {listed.Count - NamedApplications} more" : "";
        string Now(ReplicaAsk ask) => serving.GetValueOrDefault(ask.Application) is > 0 and var current ? $" (it runs {current} now)" : "";
        var asking = asks.Count == 1
            ? $"{asks[0].Application} asks for {asks[0].Replicas}{Now(asks[0])}"
            : $"its applications ask for {asks.Sum(a => a.Replicas)} ({string.Join(", ", asks.Take(NamedApplications).Select(a => $"{a.Application} {a.Replicas}{Now(a)}"))}"
              + $"{(asks.Count > NamedApplications ? $" and {asks.Count - NamedApplications} more" : "")})";
        return $"replica budget of cluster '{cluster}' exceeded: it allows {budget} replica(s) in all ({setting}); "
               + $"{running} run for other applications{(listed.Count > 0 ? $" ({names}{more})" : "")} and {asking}, {total} in all; "
               + "lower replica_count in rad.json, remove an application, or an operator raises the budget";
    }

    void Release(Claim claim)
    {
        _gate.Wait();
        try
        {
            if (_claims.TryGetValue(claim.Key, out var held) && held == claim)
                _claims.Remove(claim.Key);
        }
        finally
        {
            _gate.Release();
        }
    }

    sealed class Claim(ReplicaBudget budget, (string Cluster, string Application) key, int replicas) : IDisposable
    {
        int _released;

        public (string Cluster, string Application) Key { get; } = key;
        public int Replicas { get; } = replicas;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                budget.Release(this);
        }
    }
}
