namespace Rad.Contracts;

/// <summary>
/// How a new version replaces the running one. <paramref name="KeepPrevious"/>: how long blue-green keeps the old set
/// (a rollback within it is only a switch). <paramref name="Canary"/>: the steps, set for "canary" only.
/// </summary>
public record RolloutPolicy(string Strategy, TimeSpan KeepPrevious, CanaryPolicy? Canary = null)
{
    public const string Rolling = "rolling";
    public const string Recreate = "recreate";
    public const string BlueGreen = "blue-green";
    public const string CanaryStrategy = "canary";

    public static readonly string[] Strategies = [Rolling, Recreate, BlueGreen, CanaryStrategy];

    /// <summary>What an application without "strategy" gets.</summary>
    public static readonly RolloutPolicy Default = new(Rolling, TimeSpan.Zero);

    /// <summary>
    /// The time a previous slot is kept until, as written on the cluster (label or annotation): UTC whole seconds,
    /// rounded up so the slot is never kept a fraction of a second less than keep_previous.
    /// </summary>
    public static string FormatKeptUntil(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        var remainder = ticks % TimeSpan.TicksPerSecond;
        var rounded = new DateTime(remainder == 0 ? ticks : ticks - remainder + TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        return rounded.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Traffic percentages of the new version per step (the last is 100), the pause after each, and the error rate that stops it.</summary>
public record CanaryPolicy(IReadOnlyList<int> Steps, TimeSpan Pause, double MaxErrorRate);
