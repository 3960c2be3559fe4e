using Rad.Contracts;

namespace Rad.Status.Notifications;

/// <summary>Deliver event <paramref name="Event"/> of a deployment to one notification target: one message per target, so targets never wait for each other.</summary>
public record DeliverNotification(Guid NotificationId, Guid DeploymentId, string Event) : IDeploymentMessage;
