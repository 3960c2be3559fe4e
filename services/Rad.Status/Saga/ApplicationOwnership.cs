using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>An application on a cluster that another repository owns, as a deployment's claim found it.</summary>
public sealed record OwnershipConflict(string Application, string Owner);

/// <summary>Who owns an application on a cluster, since when, and every claim and transfer of it (newest first).</summary>
public sealed record ApplicationOwnerRecord(string Cluster, string Application, string Repository, DateTimeOffset Since,
    IReadOnlyList<OwnerEventRecord> Events);

public sealed record OwnerEventRecord(string Action, string? From, string To, string Actor, string? Reason, Guid? DeploymentId, DateTimeOffset At);

/// <summary>
/// Application names belong to the repository that first deployed them on a cluster: a deployment claims its
/// applications before anything is built, all or none, and fails when another repository owns one of them.
/// </summary>
public interface IApplicationOwners
{
    /// <summary>Claims every unowned application for <paramref name="repository"/>; claims none and returns the conflicts when another repository owns any.</summary>
    Task<IReadOnlyList<OwnershipConflict>> ClaimAsync(string cluster, IReadOnlyCollection<string> applications, string repository, Guid deploymentId,
        DateTimeOffset at, CancellationToken token);
}

public static class ApplicationOwnership
{
    public static string ClaimStage(string application) => $"claim application[{application}]";

    /// <summary>What the user reads: who owns it, and how the owner changes.</summary>
    public static string Refusal(OwnershipConflict conflict, string cluster, string repository) =>
        $"application '{conflict.Application}' on cluster '{cluster}' belongs to repository {conflict.Owner}; " +
        $"ask an operator to run `rad apps transfer {conflict.Application} --to {RepositoryIdentity.WithoutUserInfo(repository)}" +
        $"{(cluster == LocalCluster.Name ? "" : $" --cluster {cluster}")}`, or rename it in rad.json";
}
