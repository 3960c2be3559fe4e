using Dapper;
using Npgsql;

namespace Rad.Status.Outbox;

/// <summary>
/// Which messages a consumer has handled, recorded in the transaction of the handling itself: a message published
/// again (the outbox after a crash, a redelivery after a lost acknowledgement) is seen as handled and skipped.
/// </summary>
public static class Inbox
{
    /// <summary>
    /// Records the message as handled by <paramref name="consumer"/>; false when it already was. A second copy handled
    /// at the same moment waits here until the first one's transaction ends, and then sees it.
    /// </summary>
    public static async Task<bool> TryReceiveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string consumer, Guid? messageId,
        CancellationToken token)
    {
        if (messageId is not { } id)
            return true;
        return await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO inbox_messages (consumer, message_id) VALUES (@consumer, @id) ON CONFLICT DO NOTHING
            """, new { consumer, id }, transaction, cancellationToken: token)) == 1;
    }

    /// <summary>Forgets messages handled before <paramref name="before"/>: long after any copy of them could come back.</summary>
    public static async Task<int> PruneAsync(NpgsqlConnection connection, DateTimeOffset before, CancellationToken token) =>
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM inbox_messages WHERE received_at < @before", new { before },
            cancellationToken: token));
}
