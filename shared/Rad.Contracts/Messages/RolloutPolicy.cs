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
}

/// <summary>Traffic percentages of the new version per step (the last is 100), the pause after each, and the error rate that stops it.</summary>
public record CanaryPolicy(IReadOnlyList<int> Steps, TimeSpan Pause, double MaxErrorRate);
