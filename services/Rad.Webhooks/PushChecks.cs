using MassTransit;
using Rad.Contracts;

namespace Rad.Webhooks;

/// <summary>Asks the status service, which keeps RAD's records, whether a push is older than what runs (it records a refusal).</summary>
public static class PushChecks
{
    /// <summary>The answer to send when the push must not deploy (409 older, 503 no answer), or null when it may.</summary>
    public static async Task<IResult?> RefusalAsync(IRequestClient<CheckWebhookPush> checks, string host, string? delivery, PushEvent push, string cluster,
        TimeSpan timeout, CancellationToken token)
    {
        try
        {
            var answer = await checks.GetResponse<WebhookPushChecked>(new CheckWebhookPush(host, delivery, push.CloneUrl, cluster, push.After, push.Forced),
                token, RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
            return answer.Message.Refusal is { } refusal
                ? Results.Problem(statusCode: 409, title: "Older than the running commit", detail: refusal,
                    extensions: new Dictionary<string, object?> { ["runningCommit"] = answer.Message.RunningCommit })
                : null;
        }
        catch (RequestTimeoutException)
        {
            return Results.Problem(statusCode: 503, title: "Cannot check the push",
                detail: $"RAD's status service did not say within {timeout.TotalSeconds:0.#} s whether commit {push.After} is older than the one running; " +
                        "nothing was deployed: redeliver the hook once RAD is up.");
        }
        catch (RequestFaultException)
        {
            // The status service's own log says why (its database, most likely); the git host only needs to try again.
            return Results.Problem(statusCode: 503, title: "Cannot check the push",
                detail: $"RAD's status service could not check whether commit {push.After} is older than the one running; " +
                        "nothing was deployed: redeliver the hook once RAD is up.");
        }
    }
}
