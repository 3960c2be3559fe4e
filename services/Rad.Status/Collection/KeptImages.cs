using Dapper;
using Npgsql;
using Rad.Contracts;

namespace Rad.Status.Collection;

/// <summary>From the release history: the repositories of RAD's images, and the images a rollback may still need.</summary>
public sealed class KeptImages(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Images (repository@digest) of the last <paramref name="keepRevisions"/> revisions of each application on each cluster
    /// that did not fail, and of pinned revisions; every repository any revision ever used; and the images of revisions
    /// no longer kept, last recorded before <paramref name="recordedBefore"/> (a deployment in flight may reuse a newer one).
    /// </summary>
    public async Task<(IReadOnlyList<string> Repositories, IReadOnlyList<string> Keep, IReadOnlyList<string> Forget)> ReadAsync(
        int keepRevisions, DateTimeOffset recordedBefore, CancellationToken token)
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
        var images = (await connection.QueryAsync<(string Image, DateTime Last)>(new CommandDefinition(
            "SELECT image, max(created_at) FROM revisions GROUP BY image", cancellationToken: token))).ToList();
        var kept = keep.ToHashSet(StringComparer.Ordinal);
        return (images.Select(i => ImageReference.RepositoryOf(i.Image)).Distinct().ToList(), kept.ToList(),
            images.Where(i => i.Last < recordedBefore.UtcDateTime && !kept.Contains(i.Image)).Select(i => i.Image).ToList());
    }
}
