using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>
/// A deployment's request (or rollback) failed at the saga every time it was tried and went to the error queue, so the
/// deployment was never created: it is created Failed with <paramref name="Reason"/>, recording what was asked in
/// <paramref name="Request"/> (its texts cut short, so what made the request fail cannot make this one fail too).
/// </summary>
public record DeploymentRequestFaulted(Guid DeploymentId, RequestDeployment Request, string Reason) : IDeploymentMessage;
