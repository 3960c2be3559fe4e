namespace Rad.Contracts;

/// <summary>
/// The application did not roll out. <paramref name="Changed"/> is true when what serves it was already changed before
/// the failure (its spec updated, or its old set stopped): a failed release must then bring it back.
/// </summary>
public record ApplicationDeploymentFailed(Guid DeploymentId, string ApplicationName, string Reason, bool Changed = false) : IDeploymentMessage;
