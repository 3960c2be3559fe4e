using System.Text.Json;
using Dapper;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Monitoring;
using Rad.Status.Outbox;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

/// <summary>
/// The saga's rows inside one transaction: loads take the row lock (so a deployment's events are handled one at a
/// time), saves check the version and append the stage events in the same commit.
/// </summary>
public sealed class DeploymentSagaStore(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
{
    readonly Dictionary<Guid, string> _loadedStates = [];

    /// <summary>What the saves in this transaction changed, for the metrics once it has committed.</summary>
    public List<SagaCommit> Changes { get; } = [];

    /// <summary>Loads the saga; <paramref name="forUpdate"/> takes the row lock until this transaction ends.</summary>
    public async Task<DeploymentState?> LoadAsync(Guid id, bool forUpdate, CancellationToken token)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string Data, string CurrentState, int Version)?>(new CommandDefinition(
            "SELECT data::text, current_state, version FROM deployments WHERE correlation_id = @id" + (forUpdate ? " FOR UPDATE" : ""),
            new { id }, transaction, cancellationToken: token));
        if (row is null)
            return null;
        _loadedStates[id] = row.Value.CurrentState;
        return Materialize(row.Value.Data, row.Value.CurrentState, row.Value.Version);
    }

    public async Task InsertAsync(DeploymentState saga, CancellationToken token)
    {
        saga.Version = 1;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deployments (correlation_id, current_state, version, created_at, next_deadline, deadline_stage, data)
            VALUES (@CorrelationId, @CurrentState, @Version, @CreatedAt, @NextDeadline, @DeadlineStage, @Data::jsonb)
            """, Parameters(saga), transaction, cancellationToken: token));
        Changes.Add(SagaCommit.Of(null, saga));
        await AppendEventsAsync(saga, token);
    }

    public async Task UpdateAsync(DeploymentState saga, CancellationToken token)
    {
        var expected = saga.Version;
        saga.Version = expected + 1;
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE deployments
            SET current_state = @CurrentState, version = @Version, next_deadline = @NextDeadline, deadline_stage = @DeadlineStage, data = @Data::jsonb
            WHERE correlation_id = @CorrelationId AND version = @Expected
            """, new DynamicParameters(Parameters(saga)).With("Expected", expected), transaction, cancellationToken: token));
        if (updated != 1)
            throw new InvalidOperationException($"Deployment {saga.CorrelationId} changed underneath this update (expected version {expected}); the message will be retried.");
        Changes.Add(SagaCommit.Of(_loadedStates.GetValueOrDefault(saga.CorrelationId), saga));
        await AppendEventsAsync(saga, token);
    }

    public Task DeleteAsync(DeploymentState saga, CancellationToken token) =>
        connection.ExecuteAsync(new CommandDefinition("DELETE FROM deployments WHERE correlation_id = @CorrelationId",
            new { saga.CorrelationId }, transaction, cancellationToken: token));

    public Task CommitAsync(CancellationToken token) => transaction.CommitAsync(token);

    /// <summary>Records the message as handled by the saga, in this transaction; false when it already was (a copy published again).</summary>
    public Task<bool> TryReceiveAsync(Guid? messageId, CancellationToken token) =>
        Inbox.TryReceiveAsync(connection, transaction, InboxConsumer, messageId, token);

    /// <summary>Writes what this step published to the outbox, in this transaction.</summary>
    public Task<IReadOnlyList<OutboxRow>> AddToOutboxAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken token) =>
        OutboxStore.AddAsync(connection, transaction, messages, token);

    public const string InboxConsumer = "deployment-saga";

    async Task AppendEventsAsync(DeploymentState saga, CancellationToken token)
    {
        foreach (var e in saga.NewEvents)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO deployment_events (deployment_id, seq, at, stage, state, message) VALUES (@Id, @Sequence, @At, @Stage, @State, @Message)
                """, new { Id = saga.CorrelationId, e.Sequence, e.At, Stage = StoredText.Clean(e.Stage), e.State, Message = StoredText.CleanOrNull(e.Message) }, transaction, cancellationToken: token));
        saga.NewEvents.Clear();
        await ReleaseHistory.WriteAsync(connection, transaction, saga.NewRevisions, saga.NewPinChanges, token);
        saga.NewRevisions.Clear();
        saga.NewPinChanges.Clear();
    }

    static object Parameters(DeploymentState saga)
    {
        var next = saga.NextDeadline();
        return new
        {
            saga.CorrelationId,
            saga.CurrentState,
            saga.Version,
            saga.CreatedAt,
            NextDeadline = next?.At,
            DeadlineStage = next?.Stage,
            Data = JsonSerializer.Serialize(saga, SagaJson.Options),
        };
    }

    static DeploymentState Materialize(string data, string currentState, int version)
    {
        var saga = JsonSerializer.Deserialize<DeploymentState>(data, SagaJson.Options)!;
        saga.CurrentState = currentState;
        saga.Version = version;
        return saga;
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}

static class DynamicParametersExtensions
{
    public static DynamicParameters With(this DynamicParameters parameters, string name, object value)
    {
        parameters.Add(name, value);
        return parameters;
    }
}
