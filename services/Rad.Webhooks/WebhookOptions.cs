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

    /// <summary>Per repository: the cluster and rad.json its pushes deploy to (else Cluster and ConfigPath above).</summary>
    public WebhookBinding[] Repositories { get; set; } = [];

    /// <summary>Lets ?cluster= and ?config= choose where a push deploys (off: the signature does not cover the URL).</summary>
    public bool AllowQueryTargets { get; set; }

    /// <summary>Deploys pushes whose commit is older than the running one without asking (off: refused unless forced).</summary>
    public bool AllowOlderCommits { get; set; }

    /// <summary>How long to wait for the status service's answer on whether a push is older than what runs.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
