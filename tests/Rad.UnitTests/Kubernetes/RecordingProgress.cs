using System.Collections.Concurrent;
using Rad.Clusters;

namespace Rad.UnitTests.Kubernetes;

/// <summary>Keeps the rollout steps a deployer reports, in order, for the test to read.</summary>
public sealed class RecordingProgress : IRolloutProgress
{
    public ConcurrentQueue<(string Step, string State, string? Message)> Steps { get; } = new();

    public Task StepAsync(string step, string state, string? message)
    {
        Steps.Enqueue((step, state, message));
        return Task.CompletedTask;
    }
}
