using Prometheus;

namespace Rad.Builder;

/// <summary>
/// What the builder did with each BuildImage command it handled (a redelivered command counts again, usually as
/// reused), and how long the engine's build and the push took: the build stage's time without the bus and the queue.
/// </summary>
public static class BuildMetrics
{
    public const string Built = "built";
    public const string Reused = "reused";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    static readonly double[] Buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    static readonly Counter Builds = Metrics.CreateCounter("rad_builder_builds_total",
        "BuildImage commands handled, by result: built (and pushed), reused (the image was already in the registry), failed, cancelled (its deployment ended first).", ["result"]);

    public static readonly Histogram BuildDuration = Metrics.CreateHistogram("rad_builder_build_duration_seconds",
        "Time the Docker engine took to build an image.", new HistogramConfiguration { Buckets = Buckets });

    public static readonly Histogram PushDuration = Metrics.CreateHistogram("rad_builder_push_duration_seconds",
        "Time the push of a built image to its registry took.", new HistogramConfiguration { Buckets = Buckets });

    /// <summary>Every result at 0 from the start.</summary>
    public static void Register()
    {
        foreach (var result in (string[])[Built, Reused, Failed, Cancelled])
            Builds.WithLabels(result);
    }

    public static void Count(string result) => Builds.WithLabels(result).Inc();
}
