using Dapper;
using Npgsql;
using Rad.Contracts;

namespace Rad.Status.Collection;

/// <summary>From the release history: the repositories of RAD's images, and the images a rollback may still need.</summary>
public sealed class KeptImages(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Images (repository@digest) of the last <paramref name="keepRevisions"/> revisions of each application on each cluster
    /// that did not fail, and of pinned revisions; and every repository any revision ever used.
    /// </summary>
    public async Task<(IReadOnlyList<string> Repositories, IReadOnlyList<string> Keep)> ReadAsync(int keepRevisions, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var keep = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT image FROM (
                SELECT image, row_number() OVER (PARTITION BY cluster, application ORDER BY revision DESC) AS age
                FROM revisions WHERE outcome <> 'failed') ranked
            WHERE age <= @keepRevisions
            UNION
            SELECT r.image FROM revisions r JOIN pins p ON p.cluster = r.cluster AND p.application = r.application AND p.revision = r.revision
            """, new { keepRevisions }, cancellationToken: token));
        var images = await connection.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT image FROM revisions", cancellationToken: token));
        return (images.Select(ImageReference.RepositoryOf).Distinct().ToList(), keep.ToList());
    }
}
