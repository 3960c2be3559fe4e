namespace Rad.Status.Collection;

/// <summary>Rad:Gc: how many revisions per application keep their images, how often collection runs, and what is too new to judge.</summary>
public sealed class ImageCollectionOptions
{
    public const string Section = "Rad:Gc";

    /// <summary>The last N revisions of each application on each cluster keep their images (rollback targets); pinned ones always do.</summary>
    public int KeepRevisions { get; set; } = 10;

    /// <summary>How often collection runs on its own; zero turns the schedule off (rad gc still works).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Images younger than this stay: a deployment in flight may not have recorded its revision yet.</summary>
    public TimeSpan MinimumAge { get; set; } = TimeSpan.FromHours(1);

    public static string? Problem(ImageCollectionOptions options) =>
        options.KeepRevisions < 1 ? $"Rad:Gc:KeepRevisions is {options.KeepRevisions}; give at least 1 (the running revision), e.g. Rad__Gc__KeepRevisions=10"
        : options.Interval < TimeSpan.Zero ? $"Rad:Gc:Interval is {options.Interval}; give a duration such as 01:00:00, or 00:00:00 to turn the schedule off"
        : options.MinimumAge < TimeSpan.Zero ? $"Rad:Gc:MinimumAge is {options.MinimumAge}; give a duration such as 01:00:00"
        : null;
}

/// <summary>Refuses Rad:Gc at start-up with the setting that is wrong and a value that works.</summary>
public sealed class ImageCollectionOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ImageCollectionOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ImageCollectionOptions options) =>
        ImageCollectionOptions.Problem(options) is { } problem
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problem)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
