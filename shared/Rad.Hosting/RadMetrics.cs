using Prometheus;

namespace Rad.Hosting;

/// <summary>What every RAD service exports besides its own metrics.</summary>
public static class RadMetrics
{
    static readonly Lazy<IDisposable> MeterListener = new(StartMeterAdapter);

    /// <summary>
    /// prometheus-net's process and .NET metrics, and every System.Diagnostics.Metrics meter (MassTransit's consume,
    /// publish and fault counts, ASP.NET Core's request durations, the runtime's GC and thread pool) through its meter
    /// adapter. The EventCounter adapter is off: the runtime's meter reports the same numbers without its forced GCs.
    /// Safe to call more than once (tests host several services in one process).
    /// </summary>
    public static void Configure() => _ = MeterListener.Value;

    static IDisposable StartMeterAdapter()
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true });
        // Started now rather than at the first scrape (prometheus-net's default), so nothing measured before it is lost.
        // The adapter forgets a series after this long without a change (1 day is its maximum); a counter that vanishes
        // and comes back only looks like a reset to rate().
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            MetricsExpireAfter = TimeSpan.FromDays(1),
            // The runtime's private diagnostics (msquic's internals) are not meant for dashboards.
            InstrumentFilterPredicate = instrument => !instrument.Meter.Name.StartsWith("Private.", StringComparison.Ordinal),
        });
    }
}
