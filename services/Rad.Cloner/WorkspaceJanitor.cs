using Microsoft.Extensions.Options;

namespace Rad.Cloner;

/// <summary>
/// Removes checkouts older than the retention period. Finished deployments release theirs at once; this catches the
/// rest: a clone that completed after its deployment had already ended, or a scratch folder left by a crash. It also
/// prunes the cache of checkouts by commit, which keeps its own count and retention.
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

    public void Sweep()
    {
        var workspace = new DirectoryInfo(options.Value.Workspace);
        if (!workspace.Exists)
            return;
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
}
