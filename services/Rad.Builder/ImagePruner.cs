using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Builder;

/// <summary>
/// Removes the engine images of RAD's applications that no kept revision needs, by reference (tag or digest), never
/// forced: an image a container still uses (a running replica, or a stopped task Swarm keeps in its history) stays and
/// says so. References of other repositories on the same image are left alone, so such an image is untagged, not removed.
/// </summary>
public sealed class ImagePruner(IDockerClient docker, RegistryManifests registries, TimeProvider clock, ILogger<ImagePruner> logger)
{
    public async Task<ImagesPruned> PruneAsync(PruneImages command, CancellationToken token)
    {
        var repositories = command.Repositories.ToHashSet(StringComparer.Ordinal);
        var keep = command.Keep.ToHashSet(StringComparer.Ordinal);
        var cutoff = clock.GetUtcNow() - command.MinimumAge;
        var images = await docker.Images.ListImagesAsync(new ImagesListParameters(), token);
        var used = (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true }, token))
            .GroupBy(c => c.ImageID).ToDictionary(g => g.Key, g => g.First());

        List<PrunedImage> removed = [], refused = [];
        int kept = 0, young = 0;
        foreach (var image in images)
        {
            var references = (image.RepoTags ?? []).Concat(image.RepoDigests ?? [])
                .Where(r => repositories.Contains(ImageReference.RepositoryOf(r))).ToList();
            if (references.Count == 0)
                continue;
            if (references.Any(keep.Contains))
            {
                kept++;
                continue;
            }
            if (image.Created > cutoff.UtcDateTime)
            {
                young++;
                continue;
            }
            var size = OnlyRad(image, references) ? image.Size : 0;
            if (used.TryGetValue(image.ID, out var container))
            {
                refused.Add(new PrunedImage(image.ID, references, size, $"used by container {Short(container.ID)} ({container.State})"));
                continue;
            }
            if (!command.DryRun && await RemoveAsync(references, token) is { } problem)
            {
                refused.Add(new PrunedImage(image.ID, references, size, problem));
                continue;
            }
            removed.Add(new PrunedImage(image.ID, references, size));
        }

        List<PrunedImage> forgotten = [], unforgotten = [];
        foreach (var image in command.Forget.Where(i => !keep.Contains(i)))
        {
            if (!command.DryRun && await registries.DeleteAsync(image, token) is { } problem)
                unforgotten.Add(new PrunedImage(image, [image], 0, problem));
            else
                forgotten.Add(new PrunedImage(image, [image], 0));
        }

        var bytes = removed.Sum(i => i.Size);
        if (!command.DryRun)
        {
            GcMetrics.Record(removed.Count, bytes, kept, forgotten.Count);
            logger.LogInformation("Image collection removed {Removed} engine images ({Megabytes:0.0} MB) and {Forgotten} registry manifests; kept {Kept} of kept revisions and {Young} younger than {MinimumAge}; {Refused} could not go",
                removed.Count, bytes / 1e6, forgotten.Count, kept, young, command.MinimumAge, refused.Count + unforgotten.Count);
        }
        return new ImagesPruned(command.DryRun, removed, refused, kept, young, bytes, forgotten, unforgotten);
    }

    async Task<string?> RemoveAsync(IReadOnlyList<string> references, CancellationToken token)
    {
        foreach (var reference in references)
        {
            try
            {
                await docker.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = false, NoPrune = false }, token);
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // Gone with an earlier reference of the same image.
            }
            catch (DockerApiException e)
            {
                return $"the engine refused to remove {reference}: {e.EngineMessage()}";
            }
        }
        return null;
    }

    static bool OnlyRad(ImagesListResponse image, IReadOnlyList<string> references) =>
        (image.RepoTags ?? []).Concat(image.RepoDigests ?? []).All(references.Contains);

    static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
