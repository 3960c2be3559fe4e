using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Rad.Status.Notifications;

/// <summary>What one attempt saw: the target's HTTP status, or why there was none.</summary>
public sealed record AttemptOutcome(int? StatusCode, string? Error, TimeSpan Duration)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// One POST of a notification, bounded by the attempt timeout. Its error texts name what happened and the target's
/// origin only: never its path (a credential in a Slack webhook) nor the secret.
/// </summary>
public sealed class NotificationSender(HttpClient http)
{
    public const string HttpClientName = "notifications";

    public async Task<AttemptOutcome> SendAsync(NotificationTarget target, Guid deliveryId, string @event, byte[] body, TimeSpan timeout, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(NotificationSignature.EventHeader, @event);
        request.Headers.Add(NotificationSignature.DeliveryHeader, deliveryId.ToString());
        if (target.Secret is { } secret)
            request.Headers.Add(NotificationSignature.SignatureHeader, NotificationSignature.Sign(secret, body));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var status = (int)response.StatusCode;
            return new AttemptOutcome(status, status is >= 200 and < 300 ? null : $"{TargetDisplay.Origin(target.Url)} answered {status} {response.ReasonPhrase}", watch.Elapsed);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return new AttemptOutcome(null, $"{TargetDisplay.Origin(target.Url)} did not answer within {timeout.TotalSeconds:0.###} s", watch.Elapsed);
        }
        catch (HttpRequestException e)
        {
            return new AttemptOutcome(null, $"{TargetDisplay.Origin(target.Url)}: {Reason(e)}", watch.Elapsed);
        }
    }

    // HttpRequestException's own message can quote the request URI; the socket error and the request error say enough.
    static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException socket => $"cannot connect: {socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
            var other => other.ToString(),
        }}",
        _ => e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host not found",
            HttpRequestError.ConnectionError => "cannot connect",
            HttpRequestError.SecureConnectionError => "TLS handshake failed (is the certificate valid for this host?)",
            HttpRequestError.ResponseEnded => "the connection closed before an answer",
            HttpRequestError.InvalidResponse => "the answer is not valid HTTP",
            var other => other.ToString(),
        },
    };
}
