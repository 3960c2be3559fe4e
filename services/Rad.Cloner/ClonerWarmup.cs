using System.Diagnostics;
using LibGit2Sharp;

namespace Rad.Cloner;

/// <summary>
/// Before the service reports healthy: one whole clone the way a deployment makes it, from a repository of one commit
/// that the warm-up makes in a scratch folder (libgit2 lists its refs, git fetches it, libgit2 checks it out, rad.json is
/// read). The first clone after a start then does not pay for loading libgit2, starting git the first time and compiling
/// the code on that path (it took 0.31 s against 0.10 s for the next one). Changes nothing outside that folder; bounded.
/// </summary>
public sealed class ClonerWarmup(ILogger<ClonerWarmup> logger) : IHostedService
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    const string RadJson = """
        { "applications": [ { "application_name": "warmup", "dockerfile": "Dockerfile", "replica_count": 1, "port": 30000 } ],
          "registry": { "address": "127.0.0.1:5000/warmup" } }
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string? scratch = null;
        try
        {
            scratch = Directory.CreateTempSubdirectory("rad-cloner-warmup-").FullName;
            var origin = Path.Combine(scratch, "origin");
            var branch = CommitOnce(origin);
            var checkout = new GitCheckout(GitRemote.Parse(origin, []), Limit);
            var target = await checkout.ResolveAsync(branch, cancellationToken);
            var directory = Path.Combine(scratch, "checkout");
            var commit = await checkout.CheckoutAsync(target, directory, cancellationToken);
            _ = CommitMarker.CommittedAt(directory, commit);
            var (_, _, error) = WorkspaceConfig.Read(directory, "rad.json", commit);
            logger.LogInformation("Cloner warmed up with a clone of a scratch repository in {ElapsedMs:0} ms{Problem}", watch.Elapsed.TotalMilliseconds,
                error is null ? "" : $" (its rad.json read as: {error})");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A warm-up never stops the start (no git on the PATH, a full disk...): the first real clone says what is wrong.
            logger.LogWarning("Cloner warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
        finally
        {
            if (scratch is not null)
                ScratchFolder.TryDelete(scratch);
        }
    }

    /// <summary>A repository with one commit of a rad.json and a Dockerfile; returns its branch.</summary>
    static string CommitOnce(string path)
    {
        Repository.Init(path);
        using var repository = new Repository(path);
        File.WriteAllText(Path.Combine(path, "rad.json"), RadJson);
        File.WriteAllText(Path.Combine(path, "Dockerfile"), "FROM scratch\n");
        Commands.Stage(repository, "*");
        var signature = new Signature("RAD warm-up", "warmup@rad.invalid", DateTimeOffset.UtcNow);
        repository.Commit("warm-up", signature, signature);
        return repository.Head.FriendlyName;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
