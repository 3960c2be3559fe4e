namespace Rad.Contracts;

/// <summary>What a deployment request means when it leaves a field out; the API, the CLI, the bus and the webhooks agree on these.</summary>
public static class DeploymentDefaults
{
    public const string Cluster = LocalCluster.Name;

    public const string ConfigPath = "rad.json";

    /// <summary>The repository's default branch.</summary>
    public const string Ref = "HEAD";
}
