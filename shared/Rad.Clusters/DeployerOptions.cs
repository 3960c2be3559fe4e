namespace Rad.Clusters;

/// <summary>Rad:Deployer: how the deployer follows a rollout, on the local Swarm and on Kubernetes.</summary>
public sealed class DeployerOptions
{
    public const string Section = "Rad:Deployer";

    /// <summary>How often convergence is checked while a rollout runs; on the critical path (each look is one engine or edge request).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a rollout may take before the deployer gives up; the saga's deadline for the stage is the outer bound.</summary>
    public TimeSpan RolloutTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Failed task starts tolerated before the rollout is declared failed with the engine's reason.</summary>
    public int MaxFailedTasks { get; set; } = 3;

    public string EdgeHost { get; set; } = "127.0.0.1";

    /// <summary>Local Swarm: ports the port policy would refuse that this installation allows anyway (e.g. 80).</summary>
    public List<int> AllowedPorts { get; set; } = [];

    /// <summary>
    /// Local Swarm: how long new replicas may take to pass their health check the required number of times in a row
    /// (on top of those checks' own time); a version that starts slowly answers "connection refused" until then.
    /// </summary>
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Local Swarm: how long the edge may take to show a change (new servers checked UP, weights switched).</summary>
    public TimeSpan EdgeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Local Swarm: how long connections to a previous set may stay open after the switch before it is removed anyway.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Local Swarm: how often the deployer looks for blue-green previous sets whose keep_previous has passed.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Every task's CPU limit where rad.json gives none (a Kubernetes quantity), so no application can take the host's every core.</summary>
    public string DefaultCpuLimit { get; set; } = "500m";

    /// <summary>Every task's memory limit where rad.json gives none, so no application can starve PostgreSQL and RabbitMQ on the same host.</summary>
    public string DefaultMemoryLimit { get; set; } = "256Mi";

    /// <summary>The replicas RAD's applications may have on a cluster in all, unless <see cref="ReplicaBudgets"/> names that cluster.</summary>
    public int ReplicaBudget { get; set; } = 50;

    /// <summary>A replica budget per cluster name (Rad__Deployer__ReplicaBudgets__local=80), over <see cref="ReplicaBudget"/>.</summary>
    public Dictionary<string, int> ReplicaBudgets { get; set; } = new(StringComparer.Ordinal);

    public int ReplicaBudgetOf(string cluster) => ReplicaBudgets.TryGetValue(cluster, out var budget) ? budget : ReplicaBudget;
}
