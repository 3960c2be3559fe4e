using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Rad.Status.Outbox;

/// <summary>The test-only hook of <see cref="OutboxOptions.TestOnlyKillAfterCommitOf"/>: off unless that setting names a message type.</summary>
public sealed class KillAfterCommit(IOptions<OutboxOptions> options, ILogger<KillAfterCommit> logger)
{
    readonly string? _messageType = options.Value.TestOnlyKillAfterCommitOf;

    /// <summary>Kills this process (SIGKILL, as kill -9 would) when the committed rows hold a message of the configured type.</summary>
    public void Check(IReadOnlyList<OutboxRow> committed)
    {
        if (string.IsNullOrEmpty(_messageType) || committed.All(r => r.Message.MessageType.Name != _messageType))
            return;
        logger.LogCritical("TEST HOOK Rad:Outbox:TestOnlyKillAfterCommitOf: killing Rad.Status after committing {Count} outbox message(s) with a {MessageType}, before publishing them",
            committed.Count, _messageType);
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}
