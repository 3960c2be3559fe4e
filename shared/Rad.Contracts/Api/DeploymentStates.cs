namespace Rad.Contracts;

/// <summary>The states a deployment shows in the API, the CLI and the live events; the saga's inner states fold into these.</summary>
public static class DeploymentStates
{
    public const string Pending = "Pending";
    public const string Queued = "Queued";
    public const string InProgress = "InProgress";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Superseded = "Superseded";

    /// <summary>A deployment in one of these states never changes again.</summary>
    public static bool IsFinal(string state) => state is Succeeded or Failed or Superseded;
}

/// <summary>The states of one stage of a deployment.</summary>
public static class StageStates
{
    public const string InProgress = "InProgress";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";
}
