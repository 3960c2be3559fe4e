using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>
/// A message of a running deployment failed at the saga every time it was tried and went to the error queue: the
/// deployment fails at once with <paramref name="Reason"/> instead of waiting for its stage's deadline. <paramref name="Stage"/>
/// is the stage the message was about when known, <paramref name="ApplicationName"/> its application if it names one.
/// </summary>
public record DeploymentMessageFaulted(Guid DeploymentId, string MessageType, string? Stage, string? ApplicationName, string Reason) : IDeploymentMessage;
