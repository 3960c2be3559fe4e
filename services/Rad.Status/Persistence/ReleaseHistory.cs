using System.Text.Json;
using Dapper;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

/// <summary>Revisions and pins in PostgreSQL: what the saga and the API read; the saga store writes them with the saga's own rows.</summary>
public sealed class ReleaseHistory(NpgsqlDataSource dataSource) : IReleaseHistory
{
    const string RevisionSelect = """
        SELECT cluster, application, revision, deployment_id AS DeploymentId, repository, commit, image, spec::text AS Spec, strategy, outcome, note,
               created_at AS CreatedAt
        FROM revisions
        """;

    public async Task<RevisionRecord?> CurrentAsync(string cluster, string application, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var row = await connection.QueryFirstOrDefaultAsync<RevisionRow>(new CommandDefinition($"""
            {RevisionSelect}
            WHERE cluster = @cluster AND application = @application AND outcome <> 'failed'
            ORDER BY revision DESC LIMIT 1
            """, new { cluster, application }, cancellationToken: token));
        return row is null || row.Outcome == RevisionOutcomes.Removed ? null : row.ToRecord();
    }

    /// <summary>The current revision of every application RAD runs (on one cluster, or on all).</summary>
    public async Task<IReadOnlyList<RevisionRecord>> CurrentAllAsync(string? cluster, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<RevisionRow>(new CommandDefinition($"""
            SELECT DISTINCT ON (cluster, application) * FROM ({RevisionSelect}
                WHERE outcome <> 'failed' AND (@cluster::text IS NULL OR cluster = @cluster)) r
            ORDER BY cluster, application, revision DESC
            """, new { cluster }, cancellationToken: token));
        return rows.Where(r => r.Outcome != RevisionOutcomes.Removed).Select(r => r.ToRecord()).ToList();
    }

    /// <summary>The application's revisions on the cluster, newest first.</summary>
    public async Task<IReadOnlyList<RevisionRecord>> RevisionsAsync(string cluster, string application, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<RevisionRow>(new CommandDefinition($"""
            {RevisionSelect}
            WHERE cluster = @cluster AND application = @application
            ORDER BY revision DESC
            """, new { cluster, application }, cancellationToken: token));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>The revisions a deployment wrote, per application.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RevisionsOfDeploymentAsync(Guid deploymentId, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<(string Application, int Revision)>(new CommandDefinition("""
            SELECT application, max(revision) FROM revisions WHERE deployment_id = @deploymentId GROUP BY application
            """, new { deploymentId }, cancellationToken: token));
        return rows.ToDictionary(r => r.Application, r => r.Revision);
    }

    public async Task<IReadOnlyDictionary<string, PinRecord>> PinsAsync(string cluster, IReadOnlyCollection<string> applications, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<PinRow>(new CommandDefinition("""
            SELECT cluster, application, revision, pinned_by AS PinnedBy, reason, pinned_at AS PinnedAt
            FROM pins WHERE cluster = @cluster AND application = ANY(@applications)
            """, new { cluster, applications = applications.ToArray() }, cancellationToken: token));
        return rows.ToDictionary(r => r.Application, r => r.ToRecord());
    }

    public async Task<IReadOnlyList<PinRecord>> AllPinsAsync(string? cluster, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<PinRow>(new CommandDefinition("""
            SELECT cluster, application, revision, pinned_by AS PinnedBy, reason, pinned_at AS PinnedAt
            FROM pins WHERE @cluster::text IS NULL OR cluster = @cluster
            """, new { cluster }, cancellationToken: token));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Ends a pin (rad unpin); false when the application was not pinned there.</summary>
    public async Task<bool> UnpinAsync(string cluster, string application, string actor, string? reason, DateTimeOffset at, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        var removed = await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pins WHERE cluster = @cluster AND application = @application",
            new { cluster, application }, transaction, cancellationToken: token));
        if (removed == 1)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pin_events (cluster, application, action, actor, reason, at) VALUES (@cluster, @application, 'unpinned', @actor, @reason, @at)
                """, new { cluster, application, actor, reason, at }, transaction, cancellationToken: token));
        await transaction.CommitAsync(token);
        return removed == 1;
    }

    /// <summary>Writes the saga step's revisions and pin changes inside its transaction: numbered on insert, never rewritten.</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<RevisionWrite> revisions,
        IEnumerable<PinChange> pins, CancellationToken token)
    {
        foreach (var r in revisions)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO revisions (cluster, application, revision, deployment_id, repository, commit, image, spec, strategy, outcome, note, created_at)
                SELECT @Cluster, @Application, COALESCE(max(revision), 0) + 1, @DeploymentId, @Repository, @Commit, @Image, @Spec::jsonb, @Strategy,
                       @Outcome, @Note, @At
                FROM revisions WHERE cluster = @Cluster AND application = @Application
                """, new
            {
                r.Cluster, r.Application, r.DeploymentId, r.Repository, r.Commit, r.Image, Spec = JsonSerializer.Serialize(r.Spec, SagaJson.Options),
                Strategy = (r.Spec.Rollout ?? RolloutPolicy.Default).Strategy, r.Outcome, Note = StoredText.CleanOrNull(r.Note), r.At,
            }, transaction, cancellationToken: token));
        foreach (var p in pins)
        {
            if (p.Pinned)
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO pins (cluster, application, revision, pinned_by, reason, pinned_at)
                    SELECT @Cluster, @Application, max(revision), @Actor, @Reason, @At FROM revisions WHERE cluster = @Cluster AND application = @Application
                    ON CONFLICT (cluster, application) DO UPDATE SET revision = EXCLUDED.revision, pinned_by = EXCLUDED.pinned_by, reason = EXCLUDED.reason,
                        pinned_at = EXCLUDED.pinned_at
                    """, new { p.Cluster, p.Application, Actor = StoredText.Clean(p.Actor), Reason = StoredText.CleanOrNull(p.Reason), p.At }, transaction, cancellationToken: token));
            else
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM pins WHERE cluster = @Cluster AND application = @Application", p, transaction, cancellationToken: token));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pin_events (cluster, application, action, revision, actor, reason, deployment_id, at)
                SELECT @Cluster, @Application, @Action, (SELECT max(revision) FROM revisions WHERE cluster = @Cluster AND application = @Application),
                       @Actor, @Reason, @DeploymentId, @At
                """, new { p.Cluster, p.Application, Action = p.Pinned ? "pinned" : "unpinned", Actor = StoredText.Clean(p.Actor), Reason = StoredText.CleanOrNull(p.Reason), p.DeploymentId, p.At },
                transaction, cancellationToken: token));
        }
    }

    sealed class RevisionRow
    {
        public string Cluster { get; init; } = "";
        public string Application { get; init; } = "";
        public int Revision { get; init; }
        public Guid DeploymentId { get; init; }
        public string Repository { get; init; } = "";
        public string Commit { get; init; } = "";
        public string Image { get; init; } = "";
        public string Spec { get; init; } = "";
        public string Strategy { get; init; } = "";
        public string Outcome { get; init; } = "";
        public string? Note { get; init; }
        public DateTime CreatedAt { get; init; }

        public RevisionRecord ToRecord() => new(Cluster, Application, Revision, DeploymentId, Repository, Commit, Image,
            JsonSerializer.Deserialize<ApplicationSpec>(Spec, SagaJson.Options)!, Strategy, Outcome, Note,
            StoredTime.Utc(CreatedAt));
    }

    sealed class PinRow
    {
        public string Cluster { get; init; } = "";
        public string Application { get; init; } = "";
        public int Revision { get; init; }
        public string PinnedBy { get; init; } = "";
        public string? Reason { get; init; }
        public DateTime PinnedAt { get; init; }

        public PinRecord ToRecord() => new(Cluster, Application, Revision, PinnedBy, Reason, StoredTime.Utc(PinnedAt));
    }
}
