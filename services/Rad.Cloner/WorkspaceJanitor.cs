using Microsoft.Extensions.Options;

namespace Rad.Cloner;

/// <summary>
/// Removes checkouts older than the retention period. Finished deployments release theirs at once; this catches the
/// rest: a clone that completed after its deployment had already ended, or a scratch folder left by a crash. It also
/// prunes the cache of checkouts by commit, which keeps its own count and retention. Scratch folders of a cloner that no
/// longer runs (killed mid-clone) go at once, starting with the sweep at start-up, whatever their age.
/// </summary>
public sealed class WorkspaceJanitor(IOptions<ClonerOptions> options, CheckoutCache cache, TimeProvider clock, ILogger<WorkspaceJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10), clock);
        do
        {
            Sweep();
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Whether the cloner with this pid still runs; replaceable so tests can name a dead owner.</summary>
    public Func<int, bool> OwnerAlive { get; init; } = ScratchFolder.ClonerAlive;

    public void Sweep()
    {
        var workspace = new DirectoryInfo(options.Value.Workspace);
        if (!workspace.Exists)
            return;
        RemoveOrphans(workspace);
        RemoveOrphans(new DirectoryInfo(cache.Root));
        var cutoff = clock.GetUtcNow() - options.Value.WorkspaceRetention;
        foreach (var checkout in workspace.EnumerateDirectories().Where(d => d.Name != CheckoutCache.FolderName && d.LastWriteTimeUtc < cutoff.UtcDateTime))
        {
            try
            {
                checkout.Delete(recursive: true);
                logger.LogInformation("Removed checkout {Path}, unused since {LastWrite:u}", checkout.FullName, checkout.LastWriteTimeUtc);
            }
            catch (IOException e)
            {
                logger.LogWarning("Could not remove checkout {Path}: {Reason}", checkout.FullName, e.Message);
            }
        }
        cache.Prune();
    }

    void RemoveOrphans(DirectoryInfo root)
    {
        if (!root.Exists)
            return;
        foreach (var orphan in root.EnumerateDirectories().Where(d => ScratchFolder.IsOrphan(d.Name, OwnerAlive)))
        {
            try
            {
                orphan.Delete(recursive: true);
                logger.LogInformation("Removed {Path}, left by a cloner that no longer runs", orphan.FullName);
            }
            catch (IOException e)
            {
                logger.LogWarning("Could not remove {Path}, left by a cloner that no longer runs: {Reason}", orphan.FullName, e.Message);
            }
        }
    }
}
