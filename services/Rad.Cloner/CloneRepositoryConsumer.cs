using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Hosting;

namespace Rad.Cloner;

/// <summary>
/// Resolves the ref, then copies the commit's checkout from the cache or fetches it, into a scratch folder that is
/// moved into place only when complete, so a redelivered command finds either nothing (and clones) or a finished
/// checkout (and reports it again without cloning).
/// </summary>
public sealed class CloneRepositoryConsumer(IOptions<ClonerOptions> options, CheckoutCache cache, ILogger<CloneRepositoryConsumer> logger,
    SealedSecrets? secrets = null) : IConsumer<CloneRepository>
{
    public async Task Consume(ConsumeContext<CloneRepository> context)
    {
        var command = context.Message;
        var settings = options.Value;
        // The credentials come sealed beside the address and are put back here, in memory only: GitRemote hands them to
        // git and LibGit2Sharp through their credential callbacks, never in an argument or .git/config.
        string repository;
        try
        {
            repository = command.Credentials is null ? command.Repository
                : (secrets ?? throw new SealedSecretException("the cloner has no key ring")).UnsealRepository(command.Repository, command.Credentials);
        }
        catch (SealedSecretException e)
        {
            await context.Publish(new CloneFailed(command.DeploymentId, $"the credentials of repository '{RepositoryUrl.Redact(command.Repository)}' cannot be read: {e.Message}"));
            CloneMetrics.Count(CloneMetrics.Failed);
            return;
        }
        if (RepositoryUrl.Reject(repository, settings.AllowLocalRepositories) is { } rejection)
        {
            await context.Publish(new CloneFailed(command.DeploymentId, rejection));
            CloneMetrics.Count(CloneMetrics.Failed);
            return;
        }

        var target = Path.Combine(settings.Workspace, command.DeploymentId.ToString("N"));
        var remote = GitRemote.Parse(repository, settings.Credentials);
        string commit;
        DateTimeOffset? committedAt;
        var fetched = false;
        if (CommitMarker.Read(target) is { } marker)
        {
            (commit, committedAt) = marker;
            logger.LogInformation("Checkout of commit {Commit} already exists for deployment {DeploymentId}; not cloning again", commit, command.DeploymentId);
            CloneMetrics.Count(CloneMetrics.Existing);
        }
        else
        {
            var scratch = ScratchFolder.PartialFor(target);
            try
            {
                (commit, fetched) = await CloneAsync(command, remote, scratch, context.CancellationToken);
                committedAt = CommitMarker.CommittedAt(scratch, commit);
                await CommitMarker.WriteAsync(scratch, commit, committedAt, context.CancellationToken);
                Directory.Move(scratch, target);
                CloneMetrics.Count(fetched ? CloneMetrics.Fetched : CloneMetrics.Cached);
            }
            catch (CloneException e)
            {
                ScratchFolder.TryDelete(scratch);
                logger.LogWarning("Clone failed for deployment {DeploymentId}: {Reason}", command.DeploymentId, e.Message);
                await context.Publish(new CloneFailed(command.DeploymentId, e.Message));
                CloneMetrics.Count(CloneMetrics.Failed);
                return;
            }
            catch
            {
                ScratchFolder.TryDelete(scratch);
                throw;
            }
        }

        var (config, applications, error) = WorkspaceConfig.Read(target, command.ConfigPath, commit);
        if (error is null)
            await context.Publish(new RepositoryCloned(command.DeploymentId, commit, target, config!.Registry.Address, applications, config.RollbackOnFailure, committedAt));
        else
            await context.Publish(new CloneFailed(command.DeploymentId, error));
        // After publishing, so the build does not wait for the copy; the builder only reads the folder meanwhile.
        if (fetched)
            cache.Add(remote, commit, target);
    }

    async Task<(string Commit, bool Fetched)> CloneAsync(CloneRepository command, GitRemote remote, string scratch, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        var checkout = new GitCheckout(remote, options.Value.CloneTimeout);
        var resolved = await checkout.ResolveAsync(command.Ref, token);
        if (resolved.Commit is { } known && cache.TryCopyTo(remote, known, scratch))
        {
            logger.LogInformation("Copied the cached checkout of {Repository} at {Ref} (commit {Commit}) for deployment {DeploymentId} in {Elapsed:0} ms; nothing fetched",
                remote.Display, command.Ref, known, command.DeploymentId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            CloneMetrics.Observe(CloneMetrics.Cached, Stopwatch.GetElapsedTime(started));
            return (known, false);
        }

        var commit = await checkout.CheckoutAsync(resolved, scratch, token);
        logger.LogInformation("Cloned {Repository} at {Ref} (commit {Commit}) for deployment {DeploymentId} in {Elapsed:0} ms",
            remote.Display, command.Ref, commit, command.DeploymentId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        CloneMetrics.Observe(CloneMetrics.Fetched, Stopwatch.GetElapsedTime(started));
        return (commit, true);
    }
}
