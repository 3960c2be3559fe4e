using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>The outcomes a revision records.</summary>
public static class RevisionOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>An earlier revision brought back because another application of the same release failed.</summary>
    public const string Restored = "restored";

    /// <summary>An application a failed release had created, taken away again.</summary>
    public const string Removed = "removed";
}

/// <summary>A revision to write with the saga step that saw it (the store numbers it).</summary>
public sealed record RevisionWrite(string Cluster, string Application, Guid DeploymentId, string Repository, string Commit, string Image,
    ApplicationSpec Spec, string Outcome, string? Note, DateTimeOffset At);

/// <summary>A pin set (after a rollback, at the revision it wrote) or ended (a forced deployment), written with the saga step.</summary>
public sealed record PinChange(string Cluster, string Application, bool Pinned, string Actor, string? Reason, Guid DeploymentId, DateTimeOffset At);

/// <summary>A recorded revision as the saga and the API read it.</summary>
public sealed record RevisionRecord(string Cluster, string Application, int Revision, Guid DeploymentId, string Repository, string Commit, string Image,
    ApplicationSpec Spec, string Strategy, string Outcome, string? Note, DateTimeOffset CreatedAt);

public sealed record PinRecord(string Cluster, string Application, int Revision, string PinnedBy, string? Reason, DateTimeOffset PinnedAt);

/// <summary>What the deployment saga reads of the release history: the revision an application runs now, and its pins.</summary>
public interface IReleaseHistory
{
    /// <summary>The revision that serves the application on the cluster now, or null when RAD never deployed it there (or removed it).</summary>
    Task<RevisionRecord?> CurrentAsync(string cluster, string application, CancellationToken token);

    /// <summary>The pins among <paramref name="applications"/> on the cluster.</summary>
    Task<IReadOnlyDictionary<string, PinRecord>> PinsAsync(string cluster, IReadOnlyCollection<string> applications, CancellationToken token);
}
