namespace Rad.Contracts;

/// <summary>What a deployment request means when it leaves a field out; the API, the CLI, the bus and the webhooks agree on these.</summary>
public static class DeploymentDefaults
{
    /// <summary>The built-in cluster: a single-node Docker Swarm on the engine RAD runs beside.</summary>
    public const string Cluster = "local";

    public const string ConfigPath = "rad.json";

    /// <summary>The repository's default branch.</summary>
    public const string Ref = "HEAD";
}
