using Prometheus;

namespace Rad.Cloner;

/// <summary>
/// What the cloner did with each CloneRepository command it handled (a redelivered command counts again, as
/// existing), and how long getting the checkout took: the clone stage's time without the bus and the queue.
/// </summary>
public static class CloneMetrics
{
    public const string Fetched = "fetched";
    public const string Cached = "cached";
    public const string Existing = "existing";
    public const string Failed = "failed";

    static readonly Counter Clones = Metrics.CreateCounter("rad_cloner_clones_total",
        "CloneRepository commands handled, by result: fetched (from the remote), cached (copied from a cached checkout of the commit), " +
        "existing (a redelivery found its checkout), failed.", ["result"]);

    static readonly Histogram Duration = Metrics.CreateHistogram("rad_cloner_clone_duration_seconds",
        "Time from resolving the ref to a complete checkout, by source: fetched or cached.",
        new HistogramConfiguration { LabelNames = ["source"], Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });

    /// <summary>Every result and source at 0 from the start.</summary>
    public static void Register()
    {
        foreach (var result in (string[])[Fetched, Cached, Existing, Failed])
            Clones.WithLabels(result);
        Duration.WithLabels(Fetched);
        Duration.WithLabels(Cached);
    }

    public static void Count(string result) => Clones.WithLabels(result).Inc();

    public static void Observe(string source, TimeSpan elapsed) => Duration.WithLabels(source).Observe(elapsed.TotalSeconds);
}
