using System.Diagnostics;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>
/// RAD's own health check of new replicas before they take traffic: each must pass <c>successes</c> checks in a row, one
/// every <c>interval</c>, within the window; probed from the host at the tasks' addresses, since an image may have no
/// HTTP client to run a check inside the container.
/// </summary>
public static class ReplicaValidation
{
    /// <summary>Null when every replica passed; else what the first replica that did not pass saw, for the failure.</summary>
    public static async Task<string?> RunAsync(IReadOnlyList<RunningTask> tasks, int containerPort, HealthCheck health, int successes, TimeSpan window,
        Func<CancellationToken, Task> checkTasks, CancellationToken token)
    {
        var states = tasks.Select(t => new ReplicaState($"{t.Address}:{containerPort}", t.Address)).ToList();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await Task.WhenAll(states.Where(s => s.Passes < successes).Select(async state =>
            {
                var (passed, seen) = await HealthProbe.CheckAsync(state.Host, containerPort, health, token);
                state.Record(passed, seen);
            }));
            if (states.All(s => s.Passes >= successes))
                return null;
            if (watch.Elapsed >= window)
            {
                var failing = states.First(s => s.Passes < successes);
                return $"{Describe(health)}, saw {failing.LastSeen} on {failing.Address} ({failing.Failures} of {failing.Checks} checks failed within {Duration.Format(window)})";
            }
            await checkTasks(token);
            await Task.Delay(states.Any(s => s.Passes > 0) ? health.Interval : FirstAnswer(health), token);
        }
    }

    /// <summary>
    /// Until a replica first passes, it is asked again sooner than the interval: a process that has just started often
    /// refuses the first connection, and a whole interval lost there is lost by every deployment. The passes in a row
    /// that make a replica healthy are still one interval apart.
    /// </summary>
    static TimeSpan FirstAnswer(HealthCheck health) => health.Interval < FirstAnswerRetry ? health.Interval : FirstAnswerRetry;

    static readonly TimeSpan FirstAnswerRetry = TimeSpan.FromMilliseconds(25);

    /// <summary>"GET /healthz expected 2xx" or "TCP connect expected to succeed".</summary>
    public static string Describe(HealthCheck health) =>
        health.Path is null ? "TCP connect expected to succeed" : $"GET {health.Path} expected {health.Expect}";

    sealed class ReplicaState(string address, string host)
    {
        public string Address { get; } = address;
        public string Host { get; } = host;
        public int Passes { get; private set; }
        public int Failures { get; private set; }
        public int Checks { get; private set; }
        public string LastSeen { get; private set; } = "no answer yet";

        public void Record(bool passed, string seen)
        {
            Checks++;
            if (passed)
            {
                Passes++;
                return;
            }
            Passes = 0;
            Failures++;
            LastSeen = seen;
        }
    }
}
