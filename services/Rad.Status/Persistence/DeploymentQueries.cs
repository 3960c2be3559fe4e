using System.Text.Json;
using Dapper;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Outbox;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

public sealed record DeploymentSnapshot(DeploymentState Saga, bool Pending);

/// <summary>What the HTTP API reads: the saga rows, the not-yet-picked-up requests, and the stage event log.</summary>
public sealed class DeploymentQueries(NpgsqlDataSource dataSource)
{
    public async Task RecordRequestAsync(RequestDeployment request, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deployment_requests (id, repository, ref, config_path, cluster, concurrency, trigger, requested_at, message_type, message)
            VALUES (@DeploymentId, @Repository, @Ref, @ConfigPath, @Cluster, @Concurrency, @Trigger, @RequestedAt, @MessageType, @Message)
            ON CONFLICT (id) DO NOTHING
            """, new DynamicParameters(request).With("MessageType", MessageJson.TypeName(typeof(RequestDeployment)))
                .With("Message", MessageJson.Serialize(request, typeof(RequestDeployment))), cancellationToken: token));
    }

    /// <summary>A rollback accepted over HTTP shows as Pending until the saga takes it, like any deployment.</summary>
    public async Task RecordRollbackAsync(RequestRollback request, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deployment_requests (id, repository, ref, config_path, cluster, concurrency, trigger, requested_at, message_type, message)
            VALUES (@DeploymentId, @Repository, @Commit, '', @Cluster, 'queue', @Trigger, @RequestedAt, @MessageType, @Message)
            ON CONFLICT (id) DO NOTHING
            """, new { request.DeploymentId, request.Repository, request.Commit, request.Cluster, Trigger = $"rollback by {request.RequestedBy}", request.RequestedAt,
                MessageType = MessageJson.TypeName(typeof(RequestRollback)), Message = MessageJson.Serialize(request, typeof(RequestRollback)) },
            cancellationToken: token));
    }

    public async Task<DeploymentSnapshot?> FindAsync(Guid id, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition($"""
            {SnapshotSelect}
            WHERE x.id = @id
            """, new { id }, cancellationToken: token));
        return rows.Select(Materialize).FirstOrDefault();
    }

    /// <summary>The ids of the latest deployments (requests not yet taken included), newest first: what the list needs before it reads any saga.</summary>
    public async Task<IReadOnlyList<Guid>> LatestIdsAsync(int limit, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<Guid>(new CommandDefinition("""
            SELECT x.id FROM (
                (SELECT d.correlation_id AS id, d.created_at FROM deployments d ORDER BY d.created_at DESC LIMIT @limit)
                UNION ALL
                (SELECT r.id, r.requested_at FROM deployment_requests r
                 WHERE NOT EXISTS (SELECT 1 FROM deployments d WHERE d.correlation_id = r.id)
                 ORDER BY r.requested_at DESC LIMIT @limit)
            ) x
            ORDER BY x.created_at DESC
            LIMIT @limit
            """, new { limit }, cancellationToken: token));
        return rows.AsList();
    }

    /// <summary>These deployments, by id (those that exist).</summary>
    public async Task<IReadOnlyDictionary<Guid, DeploymentSnapshot>> FindManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition($"""
            {SnapshotSelect}
            WHERE x.id = ANY(@ids)
            """, new { ids = ids.ToArray() }, cancellationToken: token));
        return rows.Select(Materialize).GroupBy(s => s.Saga.CorrelationId).ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>The deployment's stage events in order, those numbered after <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<StageEvent>> EventsAsync(Guid id, CancellationToken token, long after = 0)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<(DateTime At, string Stage, string State, string? Message, long Seq)>(new CommandDefinition("""
            SELECT at, stage, state, message, seq FROM deployment_events WHERE deployment_id = @id AND seq > @after ORDER BY seq
            """, new { id, after }, cancellationToken: token));
        return rows.Select(r => new StageEvent(StoredTime.Utc(r.At), r.Stage, r.State, r.Message, r.Seq)).ToList();
    }

    /// <summary>Deployments whose earliest open stage is past its deadline, with that stage's name.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Stage)>> OverdueAsync(DateTimeOffset now, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<(Guid Id, string Stage)>(new CommandDefinition("""
            SELECT correlation_id, deadline_stage FROM deployments
            WHERE next_deadline <= @now AND current_state NOT IN ('Succeeded', 'Failed', 'Superseded')
            ORDER BY next_deadline
            LIMIT 100
            """, new { now }, cancellationToken: token));
        return rows.ToList();
    }

    // A deployment is either a saga row or, before the saga has seen it, an accepted request (Pending).
    const string SnapshotSelect = """
        SELECT x.id, x.data, x.current_state AS CurrentState, x.repository, x.ref, x.config_path AS ConfigPath, x.cluster, x.concurrency,
               x.trigger, x.created_at AS CreatedAt FROM (
            SELECT d.correlation_id AS id, d.data::text AS data, d.current_state, NULL AS repository, NULL AS ref, NULL AS config_path,
                   NULL AS cluster, NULL AS concurrency, NULL AS trigger, d.created_at
            FROM deployments d
            UNION ALL
            SELECT r.id, NULL, 'Pending', r.repository, r.ref, r.config_path, r.cluster, r.concurrency, r.trigger, r.requested_at
            FROM deployment_requests r
            WHERE NOT EXISTS (SELECT 1 FROM deployments d WHERE d.correlation_id = r.id)
        ) x
        """;

    sealed record SnapshotRow(Guid Id, string? Data, string CurrentState, string? Repository, string? Ref, string? ConfigPath, string? Cluster,
        string? Concurrency, string? Trigger, DateTime CreatedAt);

    static DeploymentSnapshot Materialize(SnapshotRow row)
    {
        if (row.Data is not null)
        {
            var saga = JsonSerializer.Deserialize<DeploymentState>(row.Data, SagaJson.Options)!;
            saga.CurrentState = row.CurrentState;
            return new DeploymentSnapshot(saga, false);
        }
        return new DeploymentSnapshot(new DeploymentState
        {
            CorrelationId = row.Id,
            CurrentState = row.CurrentState,
            Repository = row.Repository!,
            Ref = row.Ref!,
            ConfigPath = row.ConfigPath!,
            Cluster = row.Cluster!,
            Concurrency = row.Concurrency ?? "",
            Trigger = row.Trigger ?? "",
            CreatedAt = StoredTime.Utc(row.CreatedAt),
        }, true);
    }
}
