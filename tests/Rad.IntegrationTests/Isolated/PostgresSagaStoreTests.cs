using System.Data;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Persistence;
using Rad.Status.Saga;
using Xunit;

namespace Rad.IntegrationTests.Isolated;

/// <summary>Rad.Status's saga store (Dapper over PostgreSQL): its migrations, row locks and version checks, on a database of the test's own.</summary>
public sealed class PostgresSagaStoreTests(OwnedPostgres postgres) : IClassFixture<OwnedPostgres>
{
    static readonly string[] Migrations = ["001_deployments.sql", "002_queues_and_event_sequence.sql", "003_clusters.sql", "004_cluster_api.sql", "005_releases.sql", "006_notifications.sql", "007_request_order.sql", "008_application_owners.sql", "009_strip_repository_credentials.sql", "010_outbox_and_inbox.sql", "011_message_bodies_as_text.sql"];

    [Fact]
    public async Task Migrations_build_the_schema_once_and_a_second_run_applies_nothing()
    {
        await using var database = await postgres.NewDatabaseAsync();
        await Migrator(database).MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenConnectionAsync();
        var first = (await connection.QueryAsync<(string Name, DateTime AppliedAt)>("SELECT name, applied_at FROM schema_migrations ORDER BY name")).ToList();

        await Migrator(database).MigrateAsync(CancellationToken.None);

        Assert.Equal(Migrations, first.Select(m => m.Name));
        Assert.Equal(first, await connection.QueryAsync<(string Name, DateTime AppliedAt)>("SELECT name, applied_at FROM schema_migrations ORDER BY name"));
        Assert.Equal(["application_owner_events", "application_owners", "clusters", "deployment_events", "deployment_queues", "deployment_requests", "deployments",
                "inbox_messages", "notification_attempts", "notifications", "outbox_messages", "pin_events", "pins", "revisions", "schema_migrations", "webhook_refusals"],
            await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"));
    }

    [Fact]
    public async Task Status_services_starting_together_apply_each_migration_once()
    {
        await using var database = await postgres.NewDatabaseAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator(database).MigrateAsync(CancellationToken.None))));

        await using var connection = await database.OpenConnectionAsync();
        Assert.Equal(Migrations, await connection.QueryAsync<string>("SELECT name FROM schema_migrations ORDER BY name"));
    }

    [Fact]
    public async Task A_saved_saga_loads_back_whole_with_its_version_and_its_numbered_events()
    {
        await using var database = await MigratedDatabaseAsync();
        var saga = NewSaga();
        saga.NewEvents.Add(new StageEvent(saga.CreatedAt, StageNames.Clone, StageStates.InProgress, null, 1));
        saga.NewEvents.Add(new StageEvent(saga.CreatedAt.AddSeconds(1), StageNames.Clone, StageStates.Completed, "commit abc", 2));

        await InTransactionAsync(database, store => store.InsertAsync(saga, CancellationToken.None));

        var loaded = await InTransactionAsync(database, store => store.LoadAsync(saga.CorrelationId, forUpdate: false, CancellationToken.None));
        Assert.NotNull(loaded);
        Assert.Equal(1, loaded.Version);
        Assert.Equal(("Cloning", saga.Repository, saga.Ref, "main-commit"), (loaded.CurrentState, loaded.Repository, loaded.Ref, loaded.Commit));
        Assert.Equal(saga.Stages.Select(s => (s.Name, s.State, s.Deadline)), loaded.Stages.Select(s => (s.Name, s.State, s.Deadline)));
        var queries = new DeploymentQueries(database);
        Assert.Equal([(1L, StageStates.InProgress, (string?)null), (2L, StageStates.Completed, "commit abc")],
            (await queries.EventsAsync(saga.CorrelationId, CancellationToken.None)).Select(e => (e.Sequence, e.State, e.Message)));
        Assert.Equal(StageNames.Clone, (await queries.OverdueAsync(saga.CreatedAt.AddHours(1), CancellationToken.None)).Single().Stage);
    }

    [Fact]
    public async Task An_update_from_a_stale_version_is_refused_and_writes_nothing()
    {
        await using var database = await MigratedDatabaseAsync();
        var saga = NewSaga();
        await InTransactionAsync(database, store => store.InsertAsync(saga, CancellationToken.None));

        await using var first = await OpenStoreAsync(database);
        await using var second = await OpenStoreAsync(database);
        var mine = (await first.LoadAsync(saga.CorrelationId, forUpdate: false, CancellationToken.None))!;
        var theirs = (await second.LoadAsync(saga.CorrelationId, forUpdate: false, CancellationToken.None))!;
        mine.CurrentState = "Building";
        mine.NewEvents.Add(new StageEvent(DateTimeOffset.UtcNow, StageNames.Build("web"), StageStates.InProgress, null, 1));
        await first.UpdateAsync(mine, CancellationToken.None);
        await first.CommitAsync(CancellationToken.None);
        theirs.CurrentState = "Failed";
        theirs.NewEvents.Add(new StageEvent(DateTimeOffset.UtcNow, StageNames.Clone, StageStates.Failed, "late", 1));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.UpdateAsync(theirs, CancellationToken.None));

        Assert.Contains($"Deployment {saga.CorrelationId} changed underneath this update (expected version 1)", refused.Message);
        var stored = await InTransactionAsync(database, store => store.LoadAsync(saga.CorrelationId, forUpdate: false, CancellationToken.None));
        Assert.Equal(("Building", 2), (stored!.CurrentState, stored.Version));
        Assert.Equal([StageNames.Build("web")], (await new DeploymentQueries(database).EventsAsync(saga.CorrelationId, CancellationToken.None)).Select(e => e.Stage));
    }

    [Fact]
    public async Task A_load_for_update_waits_until_the_transaction_holding_the_row_commits_and_then_sees_its_write()
    {
        await using var database = await MigratedDatabaseAsync();
        var saga = NewSaga();
        await InTransactionAsync(database, store => store.InsertAsync(saga, CancellationToken.None));

        await using var holder = await OpenStoreAsync(database);
        var held = (await holder.LoadAsync(saga.CorrelationId, forUpdate: true, CancellationToken.None))!;
        var waiting = InTransactionAsync(database, store => store.LoadAsync(saga.CorrelationId, forUpdate: true, CancellationToken.None));
        await Task.Delay(500);
        Assert.False(waiting.IsCompleted, "a second FOR UPDATE load went through while another transaction held the row");

        held.CurrentState = "Building";
        await holder.UpdateAsync(held, CancellationToken.None);
        await holder.CommitAsync(CancellationToken.None);

        var seen = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("Building", 2), (seen!.CurrentState, seen.Version));
    }

    [Fact]
    public async Task A_request_reads_as_pending_until_its_saga_row_exists()
    {
        await using var database = await MigratedDatabaseAsync();
        var saga = NewSaga();
        var queries = new DeploymentQueries(database);
        await queries.RecordRequestAsync(new RequestDeployment(saga.CorrelationId, saga.Repository, saga.Ref, "rad.json", "local", saga.CreatedAt, "queue"),
            CancellationToken.None);

        var pending = await queries.FindAsync(saga.CorrelationId, CancellationToken.None);
        await InTransactionAsync(database, store => store.InsertAsync(saga, CancellationToken.None));
        var running = await queries.FindAsync(saga.CorrelationId, CancellationToken.None);

        Assert.Equal((true, "Pending", saga.Repository), (pending!.Pending, pending.Saga.CurrentState, pending.Saga.Repository));
        Assert.Equal((false, "Cloning", "main-commit"), (running!.Pending, running.Saga.CurrentState, running.Saga.Commit));
        Assert.Single(await queries.LatestIdsAsync(10, CancellationToken.None), id => id == saga.CorrelationId);
    }

    static SchemaMigrator Migrator(NpgsqlDataSource database) => new(database, NullLogger<SchemaMigrator>.Instance);

    async Task<NpgsqlDataSource> MigratedDatabaseAsync()
    {
        var database = await postgres.NewDatabaseAsync();
        await Migrator(database).MigrateAsync(CancellationToken.None);
        return database;
    }

    static async Task<DeploymentSagaStore> OpenStoreAsync(NpgsqlDataSource database)
    {
        var connection = await database.OpenConnectionAsync();
        return new DeploymentSagaStore(connection, await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted));
    }

    static async Task<T> InTransactionAsync<T>(NpgsqlDataSource database, Func<DeploymentSagaStore, Task<T>> work)
    {
        await using var store = await OpenStoreAsync(database);
        var result = await work(store);
        await store.CommitAsync(CancellationToken.None);
        return result;
    }

    static Task InTransactionAsync(NpgsqlDataSource database, Func<DeploymentSagaStore, Task> work) =>
        InTransactionAsync(database, async store => { await work(store); return true; });

    static DeploymentState NewSaga()
    {
        var now = DateTimeOffset.UtcNow;
        return new DeploymentState
        {
            CorrelationId = Guid.NewGuid(),
            CurrentState = "Cloning",
            Repository = "git://127.0.0.1:9418/app.git",
            Ref = "main",
            ConfigPath = "rad.json",
            Cluster = "local",
            Concurrency = "queue",
            Commit = "main-commit",
            CreatedAt = now,
            Stages = [new StageRecord { Name = StageNames.Clone, StartedAt = now, Deadline = now.AddMinutes(2) }],
        };
    }
}
