namespace Rad.Status.Saga;

/// <summary>What users see of a deployment's state: the saga's inner states folded into a few stable words.</summary>
public static class PublicState
{
    public const string Pending = "Pending";
    public const string Queued = "Queued";
    public const string InProgress = "InProgress";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Superseded = "Superseded";

    public static string Of(string sagaState) => sagaState switch
    {
        "Queued" or "Initial" or "" => Queued,
        "Succeeded" => Succeeded,
        "Failed" => Failed,
        "Superseded" => Superseded,
        _ => InProgress,
    };

    public static bool IsFinal(string publicState) => publicState is Succeeded or Failed or Superseded;
}
