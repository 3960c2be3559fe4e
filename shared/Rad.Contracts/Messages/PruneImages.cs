namespace Rad.Contracts;

/// <summary>
/// Asks the builder to remove from its Docker engine the images of RAD's applications (<paramref name="Repositories"/>,
/// registry/name without tag) that no kept revision runs (<paramref name="Keep"/>: repository@digest). Images younger
/// than <paramref name="MinimumAge"/> stay: a deployment may be about to record them. <paramref name="Forget"/> are the
/// registry images (repository@digest) of revisions no longer kept, to delete from their registries. Answered with
/// <see cref="ImagesPruned"/>.
/// </summary>
public record PruneImages(bool DryRun, IReadOnlyList<string> Repositories, IReadOnlyList<string> Keep, TimeSpan MinimumAge, IReadOnlyList<string> Forget);

/// <summary>What the builder removed (or, with DryRun, would remove) from its engine and from registries, what stays and why.</summary>
public record ImagesPruned(bool DryRun, IReadOnlyList<PrunedImage> Removed, IReadOnlyList<PrunedImage> Refused, int Kept, int TooYoung, long Bytes,
    IReadOnlyList<PrunedImage> RegistryRemoved, IReadOnlyList<PrunedImage> RegistryRefused);

/// <summary>One engine image: its RAD references (tags and digests), its size, and why it could not go when it could not.</summary>
public record PrunedImage(string Id, IReadOnlyList<string> References, long Size, string? Reason = null);
