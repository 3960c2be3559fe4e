using Dapper;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

/// <summary>Application owners in PostgreSQL: claimed by deployments, transferred by operators, every change recorded.</summary>
public sealed class ApplicationOwners(NpgsqlDataSource dataSource) : IApplicationOwners
{
    public async Task<IReadOnlyList<OwnershipConflict>> ClaimAsync(string cluster, IReadOnlyCollection<string> applications, string repository,
        Guid deploymentId, DateTimeOffset at, CancellationToken token)
    {
        var claimant = RepositoryIdentity.WithoutUserInfo(repository);
        var names = applications.Distinct().ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        var conflicts = await ConflictsAsync(connection, transaction, cluster, names, claimant, token);
        if (conflicts.Count > 0)
            return conflicts;
        // Two repositories claiming the same new name at once: the second insert waits for the first, finds its row and
        // claims nothing, and the read after it sees the winner.
        var claimed = (await connection.QueryAsync<string>(new CommandDefinition("""
            INSERT INTO application_owners (cluster, application, repository, since)
            SELECT @cluster, name, @claimant, @at FROM unnest(@names) AS name
            ON CONFLICT (cluster, application) DO NOTHING
            RETURNING application
            """, new { cluster, names, claimant, at }, transaction, cancellationToken: token))).ToArray();
        conflicts = await ConflictsAsync(connection, transaction, cluster, names, claimant, token);
        if (conflicts.Count > 0)
            return conflicts;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO application_owner_events (cluster, application, action, to_repository, actor, deployment_id, at)
            SELECT @cluster, name, 'claimed', @claimant, 'deployment', @deploymentId, @at FROM unnest(@claimed) AS name
            """, new { cluster, claimed, claimant, deploymentId, at }, transaction, cancellationToken: token));
        await transaction.CommitAsync(token);
        return [];
    }

    static async Task<List<OwnershipConflict>> ConflictsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string cluster, string[] names,
        string claimant, CancellationToken token)
    {
        var owners = await connection.QueryAsync<(string Application, string Repository)>(new CommandDefinition("""
            SELECT application, repository FROM application_owners WHERE cluster = @cluster AND application = ANY(@names) ORDER BY application
            """, new { cluster, names }, transaction, cancellationToken: token));
        return owners.Where(o => !RepositoryIdentity.Same(o.Repository, claimant)).Select(o => new OwnershipConflict(o.Application, o.Repository)).ToList();
    }

    /// <summary>The owner and its history, or null when no repository owns the application there.</summary>
    public async Task<ApplicationOwnerRecord?> OwnerAsync(string cluster, string application, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var owner = await connection.QueryFirstOrDefaultAsync<OwnerRow>(new CommandDefinition("""
            SELECT repository, since FROM application_owners WHERE cluster = @cluster AND application = @application
            """, new { cluster, application }, cancellationToken: token));
        if (owner is null)
            return null;
        var events = await connection.QueryAsync<EventRow>(new CommandDefinition("""
            SELECT action, from_repository AS FromRepository, to_repository AS ToRepository, actor, reason, deployment_id AS DeploymentId, at
            FROM application_owner_events WHERE cluster = @cluster AND application = @application ORDER BY id DESC
            """, new { cluster, application }, cancellationToken: token));
        return new ApplicationOwnerRecord(cluster, application, owner.Repository, StoredTime.Utc(owner.Since),
            events.Select(e => new OwnerEventRecord(e.Action, e.FromRepository, e.ToRepository, e.Actor, e.Reason, e.DeploymentId, StoredTime.Utc(e.At))).ToList());
    }

    /// <summary>Gives the application to another repository; returns the previous owner, or null when nobody owned it there.</summary>
    public async Task<string?> TransferAsync(string cluster, string application, string to, string actor, string? reason, DateTimeOffset at,
        CancellationToken token)
    {
        var repository = RepositoryIdentity.WithoutUserInfo(to);
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        var from = await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT repository FROM application_owners WHERE cluster = @cluster AND application = @application FOR UPDATE
            """, new { cluster, application }, transaction, cancellationToken: token));
        if (from is null)
            return null;
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE application_owners SET repository = @repository, since = @at WHERE cluster = @cluster AND application = @application
            """, new { cluster, application, repository, at }, transaction, cancellationToken: token));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO application_owner_events (cluster, application, action, from_repository, to_repository, actor, reason, at)
            VALUES (@cluster, @application, 'transferred', @from, @repository, @actor, @reason, @at)
            """, new { cluster, application, from, repository, actor = StoredText.Clean(actor), reason = StoredText.CleanOrNull(reason), at },
            transaction, cancellationToken: token));
        await transaction.CommitAsync(token);
        return from;
    }


    sealed class OwnerRow
    {
        public string Repository { get; init; } = "";
        public DateTime Since { get; init; }
    }

    sealed class EventRow
    {
        public string Action { get; init; } = "";
        public string? FromRepository { get; init; }
        public string ToRepository { get; init; } = "";
        public string Actor { get; init; } = "";
        public string? Reason { get; init; }
        public Guid? DeploymentId { get; init; }
        public DateTime At { get; init; }
    }
}
