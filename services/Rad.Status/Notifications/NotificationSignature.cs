using System.Security.Cryptography;
using System.Text;

namespace Rad.Status.Notifications;

/// <summary>The headers RAD sends with every notification, and the body's signature as GitHub signs its webhooks.</summary>
public static class NotificationSignature
{
    public const string SignatureHeader = "X-Rad-Signature-256";
    public const string EventHeader = "X-Rad-Event";
    public const string DeliveryHeader = "X-Rad-Delivery";

    /// <summary>"sha256=" and the lowercase hex HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// The same id on every attempt of one delivery (notification, deployment, event), so a receiver can drop a
    /// repeat it has already handled, even one sent again after RAD restarted.
    /// </summary>
    public static Guid DeliveryId(Guid notificationId, Guid deploymentId, string @event) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{notificationId:N}/{deploymentId:N}/{@event}")).AsSpan(0, 16));
}
