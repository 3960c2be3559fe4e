namespace Rad.Webhooks;

/// <summary>Rad:Webhooks: which pushes deploy, where to, and with which rad.json. The secret comes from RAD_WEBHOOK_SECRET.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Rad:Webhooks";
    public const string SecretVariable = "RAD_WEBHOOK_SECRET";
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Branch names or patterns ("release/*", "*") whose pushes deploy; empty means the repository's default branch only.</summary>
    public string[] Branches { get; set; } = [];

    public string Cluster { get; set; } = Rad.Contracts.DeploymentDefaults.Cluster;
    public string ConfigPath { get; set; } = Rad.Contracts.DeploymentDefaults.ConfigPath;
}
