namespace Rad.Clusters;

/// <summary>Rad:Deployer: how the deployer follows a rollout, on the local Swarm and on Kubernetes.</summary>
public sealed class DeployerOptions
{
    public const string Section = "Rad:Deployer";

    /// <summary>How often convergence is checked while a rollout runs; kept under 250 ms since it is on the critical path.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a rollout may take before the deployer gives up; the saga's deadline for the stage is the outer bound.</summary>
    public TimeSpan RolloutTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Failed task starts tolerated before the rollout is declared failed with the engine's reason.</summary>
    public int MaxFailedTasks { get; set; } = 3;

    public string EdgeHost { get; set; } = "127.0.0.1";
}
