using Prometheus;

namespace Rad.Edge;

/// <summary>
/// rad_edge_backends{application,state}, read from HAProxy's admin socket each time Prometheus scrapes, so it is what
/// HAProxy sees at that moment; rad_edge_haproxy_up says whether HAProxy answered.
/// </summary>
public sealed class EdgeMetrics(HaproxyControl haproxy, IMetricFactory factory, ILogger<EdgeMetrics> logger) : IHostedService
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    readonly Gauge _backends = factory.CreateGauge("rad_edge_backends",
        "Serving servers (application tasks) HAProxy holds per application, by state: up, down, maint, drain.", ["application", "state"]);
    readonly Gauge _haproxyUp = factory.CreateGauge("rad_edge_haproxy_up",
        "1 when HAProxy's admin socket answered at the last scrape, 0 when it did not.");
    readonly HashSet<string> _shown = new(StringComparer.Ordinal);
    volatile bool _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = true;
        // prometheus-net keeps its callbacks for the life of the process; one of a stopped host does nothing.
        Metrics.DefaultRegistry.AddBeforeCollectCallback(token => _running ? RefreshAsync(token) : Task.CompletedTask);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        return Task.CompletedTask;
    }

    public async Task RefreshAsync(CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(Limit);
        try
        {
            var counts = EdgeBackendStates.Count(await haproxy.StatsAsync(limit.Token));
            lock (_shown)
                Show(counts);
            _haproxyUp.Set(1);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or OperationCanceledException && !token.IsCancellationRequested)
        {
            _haproxyUp.Set(0);
            logger.LogWarning("Could not read HAProxy's stats for /metrics: {Reason}", e.Message);
        }
    }

    void Show(IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> counts)
    {
        foreach (var (application, byState) in counts)
            foreach (var (state, count) in byState)
                _backends.WithLabels(application, state).Set(count);
        // An application the edge no longer routes leaves the metric instead of staying at its last counts.
        foreach (var gone in _shown.Where(a => !counts.ContainsKey(a)).ToList())
        {
            foreach (var state in EdgeBackendStates.All)
                _backends.RemoveLabelled(gone, state);
            _shown.Remove(gone);
        }
        _shown.UnionWith(counts.Keys);
    }
}
