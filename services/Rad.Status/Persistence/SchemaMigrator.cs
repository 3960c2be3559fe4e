using Dapper;
using Npgsql;

namespace Rad.Status.Persistence;

/// <summary>Applies the numbered SQL files embedded in this assembly, once each, under an advisory lock so two instances never race.</summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    const long LockKey = 0x5241445f53434845; // "RAD_SCHE"

    public async Task MigrateAsync(CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@LockKey)", new { LockKey });
        try
        {
            await connection.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name       text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """);
            var applied = (await connection.QueryAsync<string>("SELECT name FROM schema_migrations")).ToHashSet();
            var assembly = typeof(SchemaMigrator).Assembly;
            foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var name = resource[(resource.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
                if (applied.Contains(name))
                    continue;
                await using var stream = assembly.GetManifestResourceStream(resource)!;
                var sql = await new StreamReader(stream).ReadToEndAsync(token);
                await using var transaction = await connection.BeginTransactionAsync(token);
                await connection.ExecuteAsync(sql, transaction: transaction);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (name) VALUES (@name)", new { name }, transaction);
                await transaction.CommitAsync(token);
                logger.LogInformation("Applied schema migration {Migration}", name);
            }
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }
}
