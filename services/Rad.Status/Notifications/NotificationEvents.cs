using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Notifications;

/// <summary>The moments of a deployment a notification can be sent for, and how a DeploymentProgressed shows them.</summary>
public static class NotificationEvents
{
    public const string Started = "started";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Superseded = "superseded";

    public static readonly IReadOnlyList<string> All = [Succeeded, Failed, Superseded, Started];
    public static readonly IReadOnlyList<string> Default = [Succeeded, Failed];

    public static bool IsKnown(string name) => All.Contains(name);

    /// <summary>
    /// The event this progress message announces, or null. The end is the message that carries a final state. The start
    /// is the one that opens the cluster stage: the saga opens it exactly once, when the deployment leaves its queue (a
    /// rollback included), and later reports on that stage always carry a message.
    /// </summary>
    public static string? Of(DeploymentProgressed progressed) => progressed.State switch
    {
        DeploymentStates.Succeeded => Succeeded,
        DeploymentStates.Failed => Failed,
        DeploymentStates.Superseded => Superseded,
        DeploymentStates.InProgress when progressed.Changes.Any(c => c.State == StageStates.InProgress && c.Message is null && IsClusterStage(c.Stage)) => Started,
        _ => null,
    };

    static readonly string ClusterStagePrefix = StageNames.Cluster("")[..^1];

    static bool IsClusterStage(string stage) => stage.StartsWith(ClusterStagePrefix, StringComparison.Ordinal) && stage.EndsWith(']');
}
