using Microsoft.Extensions.Options;

namespace Rad.Clusters;

/// <summary>
/// The replicas RAD's applications may have on one cluster in all (Rad:Deployer:ReplicaBudget, per cluster
/// Rad:Deployer:ReplicaBudgets:NAME), so no rad.json can fill the host that runs RAD's own database and broker. Before an
/// application rolls out, what serves on the cluster (without that application) plus what rollouts of this deployer
/// are bringing there, plus what it asks for, must fit; else the deploy fails before anything changes, naming the budget,
/// what runs and what was asked. Scaling an application down, or keeping its count, is never refused.
/// </summary>
public sealed class ReplicaBudget(IOptions<DeployerOptions> options, ILogger<ReplicaBudget> logger)
{
    const int NamedApplications = 8;

    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<(string Cluster, string Application), Claim> _claims = [];

    /// <summary>Holds the application's place in the budget until the returned claim is disposed (its rollout has ended, either way).</summary>
    public async Task<IDisposable> ClaimAsync(string clusterName, ICluster cluster, string application, int replicas, CancellationToken token)
    {
        var budget = options.Value.ReplicaBudgetOf(clusterName);
        var setting = options.Value.ReplicaBudgets.ContainsKey(clusterName) ? $"Rad__Deployer__ReplicaBudgets__{clusterName}" : "Rad__Deployer__ReplicaBudget";
        // Counting and claiming under one lock, so two applications rolling out at once cannot both fit into the same room.
        await _gate.WaitAsync(token);
        try
        {
            var serving = await cluster.DesiredReplicasAsync(token);
            var others = serving.Where(a => a.Key != application).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
            var arriving = _claims.Where(c => c.Key.Cluster == clusterName && c.Key.Application != application)
                .Select(c => (c.Key.Application, c.Value.Replicas)).ToList();
            foreach (var (name, count) in arriving)
                others[name] = Math.Max(others.GetValueOrDefault(name), count);
            var current = serving.GetValueOrDefault(application);
            var total = others.Values.Sum() + replicas;
            if (total > budget && replicas > current)
            {
                var refused = Refusal(clusterName, budget, setting, others, arriving.Select(a => a.Application).ToHashSet(StringComparer.Ordinal), application, replicas, current, total);
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

    static string Refusal(string cluster, int budget, string setting, Dictionary<string, int> others, HashSet<string> arriving, string application, int replicas, int current,
        int total)
    {
        var running = others.Values.Sum();
        var listed = others.Where(a => a.Value > 0).OrderByDescending(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).ToList();
        var names = string.Join(", ", listed.Take(NamedApplications).Select(a => $"{a.Key} {a.Value}{(arriving.Contains(a.Key) ? " rolling out" : "")}"));
        var more = listed.Count > NamedApplications ? $" and {listed.Count - NamedApplications} more" : "";
        var now = current > 0 ? $" (it runs {current} now)" : "";
        return $"replica budget of cluster '{cluster}' exceeded: it allows {budget} replica(s) in all ({setting}); "
               + $"{running} run for other applications{(listed.Count > 0 ? $" ({names}{more})" : "")} and {application} asks for {replicas}{now}, {total} in all; "
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
