namespace Rad.Builder;

/// <summary>Limits on one build (Rad:Builder): what a repository may make the builder send and wait for.</summary>
public sealed class BuilderOptions
{
    public const string Section = "Rad:Builder";
    public const string MaxContextBytesSetting = "Rad__Builder__MaxContextBytes";
    public const string BuildTimeoutSetting = "Rad__Builder__BuildTimeout";

    /// <summary>The largest build context (the tar sent to the engine) a build may have.</summary>
    public long MaxContextBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>How long one build and its push may take before the build fails and its slot is freed.</summary>
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A duration as a user reads it: "10 min", "90 s".</summary>
    public static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.TotalSeconds % 60 == 0 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0.#} s";
}
