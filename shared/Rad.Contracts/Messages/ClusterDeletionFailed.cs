namespace Rad.Contracts;

/// <summary>The cluster is still registered; <see cref="Reason"/> says what the management cluster answered.</summary>
public record ClusterDeletionFailed(string Name, string Reason);
