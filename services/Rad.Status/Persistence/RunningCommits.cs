using Dapper;
using Npgsql;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

/// <summary>What runs for a repository and cluster: the commit of the deployment in their queue that succeeded last.</summary>
public sealed class RunningCommits(NpgsqlDataSource dataSource) : IRunningCommits
{
    public async Task<RunningCommit?> RunningAsync(Guid queueId, Guid excluding, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var row = await connection.QueryFirstOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT correlation_id AS DeploymentId, COALESCE(data->>'commit', data->>'ref') AS Commit,
                   (data->>'committedAt')::timestamptz AS CommittedAt, created_at AS RequestedAt
            FROM deployments
            WHERE data->>'queueId' = @queueId AND current_state = 'Succeeded' AND correlation_id <> @excluding
            ORDER BY (data->>'completedAt')::timestamptz DESC NULLS LAST, created_at DESC
            LIMIT 1
            """, new { queueId = queueId.ToString(), excluding }, cancellationToken: token));
        return row is null ? null : new RunningCommit(row.DeploymentId, row.Commit, row.CommittedAt is { } at ? StoredTime.Utc(at) : null, StoredTime.Utc(row.RequestedAt));
    }

    public async Task<DateTimeOffset?> FirstRequestedAsync(Guid queueId, string commit, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var first = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition("""
            SELECT min(created_at) FROM deployments
            WHERE data->>'queueId' = @queueId AND COALESCE(data->>'commit', data->>'ref') = @commit
            """, new { queueId = queueId.ToString(), commit }, cancellationToken: token));
        return first is { } at ? StoredTime.Utc(at) : null;
    }


    sealed class Row
    {
        public Guid DeploymentId { get; init; }
        public string Commit { get; init; } = "";
        public DateTime? CommittedAt { get; init; }
        public DateTime RequestedAt { get; init; }
    }
}
