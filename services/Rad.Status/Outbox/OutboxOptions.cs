namespace Rad.Status.Outbox;

public sealed class OutboxOptions
{
    public const string Section = "Rad:Outbox";

    /// <summary>How often rows left behind (a kill, a broker drop between commit and publish) are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A row this old is published by the sweeper: the step that wrote it has had its chance to publish it itself.</summary>
    public TimeSpan RedispatchAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long handled message ids are remembered; far longer than any redelivery or redispatch takes.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// TESTS ONLY, off by default: the name of a message type (e.g. CloneRepository). The status service kills itself
    /// (SIGKILL) right after committing a saga step that publishes such a message, before publishing it, so a test can
    /// prove that the outbox publishes it after the restart.
    /// </summary>
    public string? TestOnlyKillAfterCommitOf { get; set; }
}
