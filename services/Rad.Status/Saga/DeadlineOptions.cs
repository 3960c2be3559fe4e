namespace Rad.Status.Saga;

public sealed class DeadlineOptions
{
    public const string Section = "Rad:Deadlines";

    public TimeSpan Clone { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan Cluster { get; set; } = TimeSpan.FromMinutes(2);
    // Above the builder's own timeout (Rad:Builder:BuildTimeout, 10 min), so that a build too long fails with the builder's
    // reason ("exceeded 10 min at Step ..."); this deadline is for a builder that is down or stuck.
    public TimeSpan Build { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan Deploy { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How long a deployment may wait for its turn in the queue of its repository and cluster before it fails.</summary>
    public TimeSpan Queue { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often a waiting deployment enters its queue again: the queue answers from its row, so a lost entry or a lost
    /// answer (its turn came, nobody said so) costs this long at most.
    /// </summary>
    public TimeSpan QueueRecheck { get; set; } = TimeSpan.FromSeconds(30);
}
