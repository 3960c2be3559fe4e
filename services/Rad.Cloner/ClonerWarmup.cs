using System.Diagnostics;
using LibGit2Sharp;

namespace Rad.Cloner;

/// <summary>
/// Before the service reports healthy: libgit2 loaded and a repository created and opened in a scratch folder, so the
/// first clone after a start does not pay for loading the native library. Changes nothing outside that folder.
/// </summary>
public sealed class ClonerWarmup(ILogger<ClonerWarmup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var scratch = Directory.CreateTempSubdirectory("rad-cloner-warmup-").FullName;
        try
        {
            Repository.Init(scratch);
            using var repository = new Repository(scratch);
            _ = repository.Head.Tip;
            logger.LogInformation("libgit2 {Version} warmed up in {ElapsedMs:0} ms", GlobalSettings.Version.LibGit2CommitSha, watch.Elapsed.TotalMilliseconds);
        }
        catch (LibGit2SharpException e)
        {
            logger.LogInformation("libgit2 warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
