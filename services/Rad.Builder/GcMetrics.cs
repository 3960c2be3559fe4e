using Prometheus;

namespace Rad.Builder;

/// <summary>What image collection did on this builder's engine (dry runs change nothing and count nothing).</summary>
public static class GcMetrics
{
    static readonly Counter Removed = Metrics.CreateCounter("rad_gc_images_removed_total",
        "Engine images of revisions no longer kept for rollback that image collection removed.");

    static readonly Counter Reclaimed = Metrics.CreateCounter("rad_gc_image_bytes_removed_total",
        "Sum of the engine's sizes of the images image collection removed; a layer shared with images that stay counts in each but is not freed, so the disk freed is at most this.");

    static readonly Counter Forgotten = Metrics.CreateCounter("rad_gc_registry_manifests_removed_total",
        "Registry manifests of revisions no longer kept that image collection deleted (the registry frees their layers in its own garbage collection).");

    static readonly Gauge Kept = Metrics.CreateGauge("rad_gc_images_kept",
        "Engine images the last image collection kept because a kept revision (the last N per application, or a pin) runs them.");

    static readonly Gauge LastRun = Metrics.CreateGauge("rad_gc_last_run_timestamp_seconds",
        "When image collection last ran (Unix time), 0 before the first run.");

    /// <summary>Every metric at 0 from the start (the fields exist once the class is touched).</summary>
    public static void Register() => Kept.Set(0);

    public static void Record(int removed, long bytes, int kept, int forgotten)
    {
        Forgotten.Inc(forgotten);
        Removed.Inc(removed);
        Reclaimed.Inc(bytes);
        Kept.Set(kept);
        LastRun.SetToCurrentTimeUtc();
    }
}
