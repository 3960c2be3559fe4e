using System.Collections.Concurrent;
using Rad.Clusters;

namespace Rad.UnitTests.Kubernetes;

/// <summary>Keeps the rollout steps a deployer reports, in order, for the test to read.</summary>
public sealed class RecordingProgress : IRolloutProgress
{
    public ConcurrentQueue<(string Step, string State, string? Message)> Steps { get; } = new();

    /// <summary>When each step was reported, in the same order.</summary>
    public ConcurrentQueue<DateTimeOffset> Times { get; } = new();

    /// <summary>From the first report of a step to its last (e.g. "switch" InProgress to Completed).</summary>
    public TimeSpan Duration(string step)
    {
        var times = Steps.Zip(Times).Where(p => p.First.Step == step).Select(p => p.Second).ToList();
        return times[^1] - times[0];
    }

    public Task StepAsync(string step, string state, string? message)
    {
        Times.Enqueue(DateTimeOffset.UtcNow);
        Steps.Enqueue((step, state, message));
        return Task.CompletedTask;
    }
}
