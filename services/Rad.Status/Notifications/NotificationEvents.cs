using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Notifications;

/// <summary>The moments of a deployment a notification can be sent for, and how the saga's messages show them.</summary>
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
    /// Whether this progress message announces the start: the one that opens the cluster stage. The saga opens it exactly
    /// once, when the deployment leaves its queue (a rollback included); later reports on that stage always carry a message.
    /// </summary>
    public static bool IsStart(DeploymentProgressed progressed) =>
        progressed.State == DeploymentStates.InProgress
        && progressed.Changes.Any(c => c.State == StageStates.InProgress && c.Message is null && IsClusterStage(c.Stage));

    /// <summary>The event of a deployment that has ended in <paramref name="state"/> (a public state), or null while it has not.</summary>
    public static string? OfEnd(string state) => state switch
    {
        DeploymentStates.Succeeded => Succeeded,
        DeploymentStates.Failed => Failed,
        DeploymentStates.Superseded => Superseded,
        _ => null,
    };

    static readonly string ClusterStagePrefix = StageNames.Cluster("")[..^1];

    static bool IsClusterStage(string stage) => stage.StartsWith(ClusterStagePrefix, StringComparison.Ordinal) && stage.EndsWith(']');
}
