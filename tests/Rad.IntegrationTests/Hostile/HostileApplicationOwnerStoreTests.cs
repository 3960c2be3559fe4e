using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rad.IntegrationTests.Isolated;
using Rad.Status.Persistence;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 3, in the store: owners adopted from the history when the table appears, and claims that are all or
/// nothing and race-free, on a PostgreSQL of the test's own.
/// </summary>
public sealed class HostileApplicationOwnerStoreTests(OwnedPostgres postgres) : IClassFixture<OwnedPostgres>
{
    const string Owner = "git://127.0.0.1:9418/owner.git";
    const string Intruder = "git://127.0.0.1:9418/intruder.git";
    static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Existing_applications_belong_to_the_repository_that_created_them_not_to_one_that_took_them_over()
    {
        await using var database = await postgres.NewDatabaseAsync();
        await using (var connection = await database.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            var folder = Path.Combine(Stack.FindRoot(), "services", "Rad.Status", "Persistence", "Migrations");
            foreach (var file in Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal).Where(f => string.CompareOrdinal(Path.GetFileName(f), "008") < 0))
            {
                await connection.ExecuteAsync(await File.ReadAllTextAsync(file));
                await connection.ExecuteAsync("INSERT INTO schema_migrations (name) VALUES (@name)", new { name = Path.GetFileName(file) });
            }
            // web: created by the owner, then taken over (the hole this closes); gone: removed; reborn: removed, then created by another.
            (string Application, int Revision, string Repository, string Outcome)[] history =
            [
                ("web", 1, Owner, "succeeded"), ("web", 2, Intruder, "succeeded"),
                ("gone", 1, Owner, "succeeded"), ("gone", 2, Owner, "removed"),
                ("reborn", 1, Owner, "succeeded"), ("reborn", 2, Owner, "removed"), ("reborn", 3, Intruder, "failed"), ("reborn", 4, Intruder, "succeeded"),
            ];
            foreach (var (application, revision, repository, outcome) in history)
                await connection.ExecuteAsync("""
                    INSERT INTO revisions (cluster, application, revision, deployment_id, repository, commit, image, spec, strategy, outcome, created_at)
                    VALUES ('local', @application, @revision, @id, @repository, 'c', 'i', '{}', 'rolling', @outcome, @at)
                    """, new { application, revision, id = Guid.NewGuid(), repository, outcome, at = At.AddMinutes(revision) });
        }

        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        var owners = new ApplicationOwners(database);
        Assert.Equal(Owner, (await owners.OwnerAsync("local", "web", CancellationToken.None))!.Repository);
        Assert.Null(await owners.OwnerAsync("local", "gone", CancellationToken.None));
        var reborn = (await owners.OwnerAsync("local", "reborn", CancellationToken.None))!;
        Assert.Equal(Intruder, reborn.Repository);
        Assert.Equal("adopted", Assert.Single(reborn.Events).Action);
    }

    [Fact]
    public async Task Two_repositories_claiming_a_new_name_at_once_leave_exactly_one_owner()
    {
        await using var database = await MigratedDatabaseAsync();
        var owners = new ApplicationOwners(database);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            owners.ClaimAsync("local", ["contested"], i % 2 == 0 ? Owner : Intruder, Guid.NewGuid(), At, CancellationToken.None))));

        var winner = (await owners.OwnerAsync("local", "contested", CancellationToken.None))!;
        Assert.Equal(4, claims.Count(c => c.Count == 0));
        Assert.All(claims.Where(c => c.Count > 0), c => Assert.Equal(winner.Repository, Assert.Single(c).Owner));
        Assert.Equal("claimed", Assert.Single(winner.Events).Action);
    }

    [Fact]
    public async Task A_claim_is_all_or_nothing_and_the_owner_under_another_address_is_the_owner()
    {
        await using var database = await MigratedDatabaseAsync();
        var owners = new ApplicationOwners(database);
        Assert.Empty(await owners.ClaimAsync("local", ["x"], "https://git.example.com/org/app.git", Guid.NewGuid(), At, CancellationToken.None));

        var conflicts = await owners.ClaimAsync("local", ["y", "x"], Intruder, Guid.NewGuid(), At, CancellationToken.None);

        Assert.Equal(("x", "https://git.example.com/org/app.git"), (Assert.Single(conflicts).Application, conflicts[0].Owner));
        Assert.Null(await owners.OwnerAsync("local", "y", CancellationToken.None));
        Assert.Empty(await owners.ClaimAsync("local", ["x", "y"], "https://token@GIT.example.com/org/app/", Guid.NewGuid(), At, CancellationToken.None));
        Assert.Equal("https://GIT.example.com/org/app/", (await owners.OwnerAsync("local", "y", CancellationToken.None))!.Repository);
        // The same application on another cluster is another application.
        Assert.Empty(await owners.ClaimAsync("other", ["x"], Intruder, Guid.NewGuid(), At, CancellationToken.None));
    }

    async Task<NpgsqlDataSource> MigratedDatabaseAsync()
    {
        var database = await postgres.NewDatabaseAsync();
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return database;
    }
}
