using System.Diagnostics;
using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rad.Contracts;
using Rad.IntegrationTests.Isolated;
using Rad.Status.Outbox;
using Rad.Status.Persistence;
using Rad.Status.Queue;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 13, on a whole RAD of the test's own: what the saga publishes is written in the transaction of the
/// step that publishes it and published after the commit (or after a restart), so the status service killed between
/// its commit and its publish loses nothing; a lost EnterDeploymentQueue does not strand a deployment; a request whose
/// publish was lost does not stay Pending.
/// </summary>
public sealed class HostileCommitThenPublishTests(HostileCommitThenPublishTests.OutboxRad rad, ITestOutputHelper output)
    : IClassFixture<HostileCommitThenPublishTests.OutboxRad>
{
    const string KillSetting = "Rad__Outbox__TestOnlyKillAfterCommitOf";

    /// <summary>Short recheck and sweep intervals, so that what recovers does so within seconds.</summary>
    public sealed class OutboxRad : IsolatedRad
    {
        protected override void Configure(IDictionary<string, string> environment)
        {
            environment["Rad__Deadlines__QueueRecheck"] = "00:00:03";
            environment["Rad__Deadlines__RepublishAfter"] = "00:00:02";
            environment["Rad__PendingRequests__RepublishAfter"] = "00:00:03";
            environment["Rad__PendingRequests__SweepInterval"] = "00:00:01";
        }
    }

    [Fact]
    public async Task Status_killed_between_the_saga_commit_and_its_publish_and_the_deployment_still_succeeds_running_each_stage_once()
    {
        await rad.RestartServiceAsync("status", new Dictionary<string, string?> { [KillSetting] = nameof(CloneRepository) });
        var (name, port, id) = await StartDeploymentAsync("tc-outbox");

        await WaitForStatusToDieAsync();
        var left = await OutboxAsync();
        output.WriteLine($"killed after the commit; outbox holds: {string.Join(", ", left)}");
        Assert.Contains(left, t => t.Contains(nameof(CloneRepository), StringComparison.Ordinal));
        Assert.Contains(left, t => t.Contains(nameof(ProvisionCluster), StringComparison.Ordinal));
        Assert.Equal("Cloning", await StateInDatabaseAsync(id));

        var restart = Stopwatch.StartNew();
        await rad.RestartServiceAsync("status", new Dictionary<string, string?> { [KillSetting] = null });
        output.WriteLine($"status restarted in {restart.Elapsed.TotalSeconds:0.0} s");
        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        output.WriteLine($"the deployment ended {restart.Elapsed.TotalSeconds:0.0} s after the restart began");

        await AssertSucceededRunningEachStageOnceAsync(deployment, name, port);
        // The last step's rows (DeploymentFinished, LeaveDeploymentQueue) are published and deleted right after its commit.
        var watch = Stopwatch.StartNew();
        while ((await OutboxAsync()).Count > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the outbox still holds {string.Join(", ", await OutboxAsync())} 10 s after the end");
            await Task.Delay(100);
        }
        Assert.Contains("outbox message(s) left unpublished", rad.ProcessLog("status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_EnterDeploymentQueue_does_not_strand_the_deployment()
    {
        await rad.RestartServiceAsync("status", new Dictionary<string, string?> { [KillSetting] = nameof(EnterDeploymentQueue) });
        var (name, port, id) = await StartDeploymentAsync("tc-lostq");

        await WaitForStatusToDieAsync();
        // The entry is lost for good, as a broker that dropped it would lose it: the outbox must not be what saves it.
        await using (var database = NpgsqlDataSource.Create(rad.Postgres.ConnectionString))
        await using (var connection = await database.OpenConnectionAsync())
        {
            var lost = await connection.ExecuteAsync("DELETE FROM outbox_messages WHERE message_type LIKE '%EnterDeploymentQueue%'");
            Assert.Equal(1, lost);
        }
        Assert.Equal("Queued", await StateInDatabaseAsync(id));

        var restart = Stopwatch.StartNew();
        await rad.RestartServiceAsync("status", new Dictionary<string, string?> { [KillSetting] = null });
        var started = await WaitForStageAsync(id, StageNames.Clone, TimeSpan.FromSeconds(60));
        output.WriteLine($"status restarted in {(restart.Elapsed - started).TotalSeconds:0.0} s; the deployment got its turn {started.TotalSeconds:0.0} s later (recheck every 3 s)");
        var deployment = await rad.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        output.WriteLine($"the deployment ended {restart.Elapsed.TotalSeconds:0.0} s after the restart began");
        await AssertSucceededRunningEachStageOnceAsync(deployment, name, port);
    }

    [Fact]
    public async Task A_request_whose_publish_was_lost_is_published_again_and_succeeds()
    {
        var name = $"tc-pend-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var repository = await rad.PublishRepoAsync(name, Repos.WebApp(name, port, registry: rad.Registry));
        var request = new RequestDeployment(NewId.NextGuid(), repository, "main", "rad.json", "local", DateTimeOffset.UtcNow, "queue", "api");
        // What POST /api/deployments stores before it publishes; the publish itself never happens.
        await new DeploymentQueries(NpgsqlDataSource.Create(rad.Postgres.ConnectionString)).RecordRequestAsync(request, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        Assert.Equal("Pending", (await rad.GetAsync(request.DeploymentId)).State);

        while ((await rad.GetAsync(request.DeploymentId)).State == "Pending")
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the request stayed Pending for 30 s\n{rad.Tails()}");
            await Task.Delay(100);
        }
        output.WriteLine($"the request left Pending {watch.Elapsed.TotalSeconds:0.0} s after it was stored (republished after 3 s)");
        var deployment = await rad.WaitForEndAsync(request.DeploymentId, TimeSpan.FromMinutes(3));
        await AssertSucceededRunningEachStageOnceAsync(deployment, name, port);
        await using var database = NpgsqlDataSource.Create(rad.Postgres.ConnectionString);
        await using var connection = await database.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT republished FROM deployment_requests WHERE id = @DeploymentId", request));
    }

    async Task<(string Name, int Port, Guid Id)> StartDeploymentAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var repository = await rad.PublishRepoAsync(name, Repos.WebApp(name, port, registry: rad.Registry));
        var id = await rad.DeployAsync(repository);
        output.WriteLine($"deployment {id} of {repository}: {name} on port {port}");
        return (name, port, id);
    }

    async Task WaitForStatusToDieAsync()
    {
        var watch = Stopwatch.StartNew();
        while (!rad.HasExited("status"))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the status service did not kill itself within 60 s\n{rad.Tails()}");
            await Task.Delay(100);
        }
        Assert.Contains("TEST HOOK Rad:Outbox:TestOnlyKillAfterCommitOf", rad.ProcessLog("status"), StringComparison.Ordinal);
    }

    async Task<List<string>> OutboxAsync()
    {
        await using var database = NpgsqlDataSource.Create(rad.Postgres.ConnectionString);
        await using var connection = await database.OpenConnectionAsync();
        return (await connection.QueryAsync<string>("SELECT message_type FROM outbox_messages ORDER BY id")).ToList();
    }

    async Task<string?> StateInDatabaseAsync(Guid id)
    {
        await using var database = NpgsqlDataSource.Create(rad.Postgres.ConnectionString);
        await using var connection = await database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>("SELECT current_state FROM deployments WHERE correlation_id = @id", new { id });
    }

    async Task<TimeSpan> WaitForStageAsync(Guid id, string stage, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!(await rad.GetAsync(id)).Stages.Any(s => s.Name == stage))
        {
            Assert.True(watch.Elapsed < limit, $"stage {stage} did not start within {limit.TotalSeconds:0} s: {(await rad.GetAsync(id)).State}\n{rad.Tails()}");
            await Task.Delay(100);
        }
        return watch.Elapsed;
    }

    async Task AssertSucceededRunningEachStageOnceAsync(DeploymentView deployment, string name, int port)
    {
        var log = await rad.LogAsync(deployment.Id);
        output.WriteLine(log);
        Assert.True(deployment.State == "Succeeded", $"deployment ended {deployment.State}: {deployment.Error}\n{log}\n{rad.Tails()}");
        string[] expected = [StageNames.Clone, StageNames.Cluster("local"), StageNames.Build(name), StageNames.Deploy(name),
            StageNames.Step("validate", name), StageNames.Step("switch", name)];
        Assert.Equal(expected.Order(), deployment.Stages.Select(s => s.Name).Order());
        var lines = log.Split('\n');
        foreach (var stage in expected)
        {
            Assert.Single(lines, l => l.EndsWith($"]: [IN PROGRESS]: {stage}", StringComparison.Ordinal));
            Assert.Single(lines, l => l.EndsWith($"]: [COMPLETED]: {stage}", StringComparison.Ordinal));
        }
        Assert.Equal($"Hello from {name}", (await rad.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim());
        Assert.Single(rad.ProcessLog("builder").Split('\n'), l => l.Contains($"Built {rad.Registry}/{name}:", StringComparison.Ordinal));
    }
}

/// <summary>
/// Issue 12, item 13: the deployment queue consumer in-process on a PostgreSQL of the test's own (MassTransit's
/// in-memory transport): its answers go through the outbox, a copy of a message it handled is skipped, a
/// LeaveDeploymentQueue that finds the queue already moved on announces the running deployment again, and entries that
/// arrive out of order take their place by when they were requested.
/// </summary>
public sealed class HostileDeploymentQueueTests(OwnedPostgres postgres, ITestOutputHelper output) : IClassFixture<OwnedPostgres>
{
    static readonly (Guid Id, string Key) Queue = DeploymentQueueKey.For("git://127.0.0.1/hostile-queue.git", "local");

    [Fact]
    public async Task Leave_that_finds_the_queue_moved_on_announces_the_running_deployment_again()
    {
        await using var bed = await QueueBed.StartAsync(postgres);
        Guid a = NewId.NextGuid(), b = NewId.NextGuid();
        await bed.AcceptedAsync(a, b);
        await bed.Harness.Bus.Publish(Enter(a));
        await bed.WaitAsync(() => bed.MayStart(a) == 1, "A's turn");
        await bed.Harness.Bus.Publish(Enter(b));
        await bed.WaitAsync(() => bed.Harness.Published.Select<DeploymentWaiting>(x => x.Context.Message.DeploymentId == b).Any(), "B waiting");
        await bed.Harness.Bus.Publish(new LeaveDeploymentQueue(a, Queue.Id));
        await bed.WaitAsync(() => bed.MayStart(b) == 1, "B's turn");

        // B's announcement was lost (before the outbox: a kill between the queue's commit and its publish); A leaves again.
        var watch = Stopwatch.StartNew();
        await bed.Harness.Bus.Publish(new LeaveDeploymentQueue(a, Queue.Id));
        await bed.WaitAsync(() => bed.MayStart(b) == 2, "B's turn announced again");
        output.WriteLine($"the second Leave announced B again after {watch.Elapsed.TotalMilliseconds:0} ms");

        var (running, waiting) = await bed.QueueRowAsync(Queue.Id);
        Assert.Equal(b, running);
        Assert.Empty(waiting);
        Assert.Equal(0, await bed.OutboxCountAsync());
    }

    [Fact]
    public async Task Requests_made_milliseconds_apart_wait_in_the_order_they_were_made_whatever_order_their_entries_arrive_in()
    {
        await using var bed = await QueueBed.StartAsync(postgres);
        Guid running = NewId.NextGuid(), first = NewId.NextGuid(), second = NewId.NextGuid(), third = NewId.NextGuid();
        await bed.AcceptedAsync(running, first, second, third);
        await bed.Harness.Bus.Publish(Enter(running));
        await bed.WaitAsync(() => bed.MayStart(running) == 1, "the running one's turn");

        // The sagas published their entries out of order: third, then first, then second.
        foreach (var id in new[] { third, first, second })
        {
            await bed.Harness.Bus.Publish(Enter(id));
            await bed.WaitAsync(() => bed.Harness.Published.Select<DeploymentWaiting>(x => x.Context.Message.DeploymentId == id).Any(), "waiting");
        }
        var (_, waiting) = await bed.QueueRowAsync(Queue.Id);
        Assert.Equal(new[] { first, second, third }, waiting);
        // Each heard its place last as 1, 2 and 3.
        Assert.Equal(new[] { 1, 2, 3 }, new[] { first, second, third }.Select(id =>
            bed.Harness.Published.Select<DeploymentWaiting>(x => x.Context.Message.DeploymentId == id).Last().Context.Message.Position));

        await bed.Harness.Bus.Publish(new LeaveDeploymentQueue(running, Queue.Id));
        await bed.WaitAsync(() => bed.MayStart(first) == 1, "the first request's turn");
        Assert.Equal(0, bed.MayStart(third));
    }

    [Fact]
    public async Task With_supersede_a_request_made_before_one_already_queued_gives_way_to_it_instead_of_cancelling_it()
    {
        await using var bed = await QueueBed.StartAsync(postgres);
        Guid running = NewId.NextGuid(), older = NewId.NextGuid(), newer = NewId.NextGuid();
        await bed.AcceptedAsync(running, older, newer);
        await bed.Harness.Bus.Publish(Enter(running, "supersede"));
        await bed.WaitAsync(() => bed.MayStart(running) == 1, "the running one's turn");
        await bed.Harness.Bus.Publish(Enter(newer, "supersede"));
        await bed.WaitAsync(() => bed.Superseded(running).Any(), "the running one superseded by the newer");

        // The older request's entry arrives last: it is the one superseded, by the newer, which keeps its place.
        await bed.Harness.Bus.Publish(Enter(older, "supersede"));
        await bed.WaitAsync(() => bed.Superseded(older).Any(), "the older one superseded");
        Assert.Equal(new[] { newer }, bed.Superseded(older));
        Assert.Empty(bed.Superseded(newer));
        var (row, waiting) = await bed.QueueRowAsync(Queue.Id);
        Assert.Equal(running, row);
        Assert.Equal(new[] { newer }, waiting);
    }

    [Fact]
    public async Task A_copy_of_a_message_the_queue_handled_is_skipped_and_a_new_entry_gets_the_same_answer()
    {
        await using var bed = await QueueBed.StartAsync(postgres);
        var a = NewId.NextGuid();
        var messageId = NewId.NextGuid();
        await bed.AcceptedAsync(a);
        await bed.Harness.Bus.Publish(Enter(a), c => c.MessageId = messageId);
        await bed.WaitAsync(() => bed.MayStart(a) == 1, "A's turn");

        // The same message again, as the outbox publishes a row a second time after a kill between publish and delete.
        // (The harness lists consumed messages by id, so the copy is counted by an observer.)
        var consumed = new EntriesConsumed();
        using var observing = bed.Harness.Bus.ConnectConsumeObserver(consumed);
        await bed.Harness.Bus.Publish(Enter(a), c => c.MessageId = messageId);
        await bed.WaitAsync(() => consumed.Count == 1, "the copy consumed");
        Assert.Equal(1, bed.MayStart(a));
        await using (var connection = await bed.Database.OpenConnectionAsync())
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM inbox_messages WHERE consumer = @InboxConsumer AND message_id = @messageId",
                new { DeploymentQueueConsumer.InboxConsumer, messageId }));

        // A new entry (the saga's recheck) is answered again from the queue's row.
        await bed.Harness.Bus.Publish(Enter(a));
        await bed.WaitAsync(() => bed.MayStart(a) == 2, "A's turn answered again");
        var (running, waiting) = await bed.QueueRowAsync(Queue.Id);
        Assert.Equal(a, running);
        Assert.Empty(waiting);
    }

    [Fact]
    public async Task Rows_left_in_the_outbox_are_published_by_the_sweep_with_their_own_message_ids_and_deleted()
    {
        await using var bed = await QueueBed.StartAsync(postgres);
        var running = NewId.NextGuid();
        var messageId = NewId.NextGuid();
        await using (var connection = await bed.Database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await OutboxStore.AddAsync(connection, transaction, [new OutgoingMessage(messageId, typeof(DeploymentMayStart), new DeploymentMayStart(running))],
                CancellationToken.None);
            await transaction.CommitAsync();
        }

        var watch = Stopwatch.StartNew();
        Assert.Equal(1, await bed.Dispatcher.SweepAsync(TimeSpan.Zero, CancellationToken.None));
        output.WriteLine($"the sweep published the row in {watch.Elapsed.TotalMilliseconds:0} ms");

        var published = Assert.Single(bed.Harness.Published.Select<DeploymentMayStart>());
        Assert.Equal((running, messageId), (published.Context.Message.DeploymentId, published.Context.MessageId));
        Assert.Equal(0, await bed.OutboxCountAsync());
        Assert.Equal(0, await bed.Dispatcher.SweepAsync(TimeSpan.Zero, CancellationToken.None));
    }

    sealed class EntriesConsumed : IConsumeObserver
    {
        int _count;
        public int Count => Volatile.Read(ref _count);

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is EnterDeploymentQueue)
                Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    static EnterDeploymentQueue Enter(Guid id, string concurrency = "queue") => new(id, Queue.Id, Queue.Key, concurrency);

    sealed class QueueBed : IAsyncDisposable
    {
        ServiceProvider _provider = null!;
        public NpgsqlDataSource Database { get; private set; } = null!;
        public ITestHarness Harness { get; private set; } = null!;
        public OutboxDispatcher Dispatcher => _provider.GetRequiredService<OutboxDispatcher>();

        public static async Task<QueueBed> StartAsync(OwnedPostgres postgres)
        {
            var bed = new QueueBed { Database = await postgres.NewDatabaseAsync() };
            await new SchemaMigrator(bed.Database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
            bed._provider = new ServiceCollection()
                .AddLogging()
                .AddSingleton(bed.Database)
                .AddSingleton(TimeProvider.System)
                .AddSingleton<OutboxDispatcher>()
                .AddMassTransitTestHarness(x => x.AddConsumer<DeploymentQueueConsumer>())
                .BuildServiceProvider(true);
            bed.Harness = bed._provider.GetRequiredService<ITestHarness>();
            await bed.Harness.Start();
            return bed;
        }

        /// <summary>
        /// The deployments exist (accepted requests, made 10 ms apart in the order given): the queue hands the turn on from
        /// a deployment that never existed, and orders entries by when they were requested.
        /// </summary>
        public async Task AcceptedAsync(params Guid[] ids)
        {
            var queries = new DeploymentQueries(Database);
            var first = DateTimeOffset.UtcNow;
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
                await queries.RecordRequestAsync(new RequestDeployment(id, "git://127.0.0.1/hostile-queue.git", "main", "rad.json", "local",
                    first.AddMilliseconds(10 * i)), CancellationToken.None);
        }

        public int MayStart(Guid id) => Harness.Published.Select<DeploymentMayStart>(x => x.Context.Message.DeploymentId == id).Count();

        /// <summary>By which deployments <paramref name="id"/> was told to give way.</summary>
        public Guid[] Superseded(Guid id) =>
            [.. Harness.Published.Select<SupersedeDeployment>(x => x.Context.Message.DeploymentId == id).Select(x => x.Context.Message.SupersededBy)];

        public async Task WaitAsync(Func<bool> done, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!done())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{what}: not within 10 s");
                await Task.Delay(20);
            }
        }

        public async Task<(Guid? Running, Guid[] Waiting)> QueueRowAsync(Guid queueId)
        {
            await using var connection = await Database.OpenConnectionAsync();
            var row = await connection.QuerySingleAsync<(Guid? Running, Guid[] Waiting)>(
                "SELECT running, waiting FROM deployment_queues WHERE queue_id = @queueId", new { queueId });
            return row;
        }

        public async Task<int> OutboxCountAsync()
        {
            await using var connection = await Database.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM outbox_messages");
        }

        public async ValueTask DisposeAsync()
        {
            await _provider.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
