namespace Rad.Contracts;

/// <summary>
/// The webhook service asks the status service whether a push may deploy; answered with <see cref="WebhookPushChecked"/>.
/// A push whose commit is older than the one running there is refused (and recorded) unless the push was forced.
/// </summary>
public record CheckWebhookPush(string Host, string? Delivery, string Repository, string Cluster, string Commit, bool Forced);

/// <summary>Null <paramref name="Refusal"/>: the push may deploy; else why not, for the git host's delivery log.</summary>
public record WebhookPushChecked(string? Refusal, string? RunningCommit);
