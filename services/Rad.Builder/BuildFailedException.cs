namespace Rad.Builder;

/// <summary>A build or push that failed for a reason in the user's hands (their Dockerfile, their registry): reported, not retried.</summary>
public sealed class BuildFailedException(string message) : Exception(message);
