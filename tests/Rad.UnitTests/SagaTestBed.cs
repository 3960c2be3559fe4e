using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Rad.Status.Saga;

namespace Rad.UnitTests;

/// <summary>
/// The deployment saga on MassTransit's test harness with a fake clock and a release history kept in memory (the
/// PostgreSQL one is tested against PostgreSQL): one per scenario.
/// </summary>
public sealed class SagaTestBed : IAsyncDisposable
{
    ServiceProvider _provider = null!;

    public FakeClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public InMemoryReleaseHistory History { get; } = new();
    public InMemoryApplicationOwners Owners { get; } = new();
    public InMemoryRunningCommits Running { get; } = new();
    public ITestHarness Harness { get; private set; } = null!;
    public ISagaStateMachineTestHarness<DeploymentStateMachine, DeploymentState> Saga { get; private set; } = null!;

    public static async Task<SagaTestBed> StartAsync()
    {
        var bed = new SagaTestBed();
        bed._provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(bed.Clock)
            .AddSingleton<IReleaseHistory>(bed.History)
            .AddSingleton<IApplicationOwners>(bed.Owners)
            .AddSingleton<IRunningCommits>(bed.Running)
            .Configure<DeadlineOptions>(o => o.Build = TimeSpan.FromMinutes(10))
            .AddMassTransitTestHarness(x => x.AddSagaStateMachine<DeploymentStateMachine, DeploymentState>().InMemoryRepository())
            .BuildServiceProvider(true);
        bed.Harness = bed._provider.GetRequiredService<ITestHarness>();
        await bed.Harness.Start();
        bed.Saga = bed.Harness.GetSagaStateMachineHarness<DeploymentStateMachine, DeploymentState>();
        return bed;
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}

/// <summary>Revisions and pins as a test sets them up; what the saga writes goes to <see cref="Written"/>.</summary>
public sealed class InMemoryReleaseHistory : IReleaseHistory
{
    public Dictionary<(string Cluster, string Application), RevisionRecord> Current { get; } = [];
    public Dictionary<(string Cluster, string Application), PinRecord> Pins { get; } = [];

    public Task<RevisionRecord?> CurrentAsync(string cluster, string application, CancellationToken token) =>
        Task.FromResult(Current.GetValueOrDefault((cluster, application)));

    public Task<IReadOnlyDictionary<string, PinRecord>> PinsAsync(string cluster, IReadOnlyCollection<string> applications, CancellationToken token) =>
        Task.FromResult<IReadOnlyDictionary<string, PinRecord>>(Pins.Where(p => p.Key.Cluster == cluster && applications.Contains(p.Key.Application))
            .ToDictionary(p => p.Key.Application, p => p.Value));
}

/// <summary>What runs per queue, as a test sets it (the PostgreSQL query is tested on PostgreSQL by the webhook tests).</summary>
public sealed class InMemoryRunningCommits : IRunningCommits
{
    public Dictionary<Guid, RunningCommit> ByQueue { get; } = [];

    public Task<RunningCommit?> RunningAsync(Guid queueId, Guid excluding, CancellationToken token) =>
        Task.FromResult(ByQueue.TryGetValue(queueId, out var running) && running.DeploymentId != excluding ? running : null);

    public Dictionary<(Guid Queue, string Commit), DateTimeOffset> FirstRequests { get; } = [];

    public Task<DateTimeOffset?> FirstRequestedAsync(Guid queueId, string commit, CancellationToken token) =>
        Task.FromResult(FirstRequests.TryGetValue((queueId, commit), out var at) ? at : (DateTimeOffset?)null);
}
