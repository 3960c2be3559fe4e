using Dapper;
using Npgsql;

namespace Rad.Status.Outbox;

/// <summary>
/// The outbox table: rows written in the transaction of the step that published them, read back in order and deleted
/// once published.
/// </summary>
public static class OutboxStore
{
    public static async Task<IReadOnlyList<OutboxRow>> AddAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<OutgoingMessage> messages, CancellationToken token)
    {
        var rows = new List<OutboxRow>(messages.Count);
        foreach (var message in messages)
        {
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO outbox_messages (message_id, message_type, body) VALUES (@MessageId, @Type, @Body) RETURNING id
                """, new { message.MessageId, Type = MessageJson.TypeName(message.MessageType), Body = MessageJson.Serialize(message.Message, message.MessageType) },
                transaction, cancellationToken: token));
            rows.Add(new OutboxRow(id, message));
        }
        return rows;
    }

    /// <summary>Rows written at least <paramref name="olderThan"/> ago, oldest first, locked (skipping rows another dispatcher holds).</summary>
    public static async Task<IReadOnlyList<OutboxRow>> LockPendingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TimeSpan olderThan,
        int limit, CancellationToken token)
    {
        var rows = await connection.QueryAsync<(long Id, Guid MessageId, string MessageType, string Body)>(new CommandDefinition("""
            SELECT id, message_id, message_type, body FROM outbox_messages
            WHERE created_at <= now() - @olderThan
            ORDER BY id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
            """, new { olderThan, limit }, transaction, cancellationToken: token));
        return rows.Select(r => new OutboxRow(r.Id, Read(r.MessageId, r.MessageType, r.Body))).ToList();
    }

    public static Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<long> ids, CancellationToken token) =>
        connection.ExecuteAsync(new CommandDefinition("DELETE FROM outbox_messages WHERE id = ANY(@ids)", new { ids = ids.ToArray() }, transaction,
            cancellationToken: token));

    static OutgoingMessage Read(Guid messageId, string typeName, string body)
    {
        var (type, message) = MessageJson.Deserialize(typeName, body);
        return new OutgoingMessage(messageId, type, message);
    }
}
