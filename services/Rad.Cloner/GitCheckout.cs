using System.Diagnostics;
using LibGit2Sharp;
using Rad.Contracts;

namespace Rad.Cloner;

/// <summary>
/// Resolves a deployment's ref to a commit without cloning, and checks out that commit with as little history as the
/// server allows. LibGit2Sharp lists the server's refs (git://, https, local), creates the repository and finds the
/// fetched commit; the git CLI fetches and writes the working tree (see <see cref="GitCli"/>) and does all of it for
/// ssh. Every step shares one deadline.
/// </summary>
public sealed class GitCheckout(GitRemote remote, TimeSpan timeout)
{
    const string Fetched = "refs/rad/fetched";
    // Nothing but the objects: no tags followed, no submodules, no FETCH_HEAD, no maintenance process afterwards. The
    // pack is kept as it comes (fetch.unpackLimit=1): below git's default of 100 objects a fetch explodes it into loose
    // objects and compresses each again, which for one 100 MB file took 2.3 s more than the clone's kept pack (measured).
    static readonly string[] Fetch = ["-c", "fetch.unpackLimit=1", "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head", "--no-auto-maintenance"];
    readonly long _started = Stopwatch.GetTimestamp();
    readonly GitCli _git = new(remote);

    public Task<RemoteTarget> ResolveAsync(string gitRef, CancellationToken token) =>
        WithinDeadlineAsync(async deadline => RemoteTarget.Resolve(gitRef, await ListRefsAsync(deadline), remote), token);

    /// <summary>Fetches and checks out <paramref name="target"/> into <paramref name="directory"/> (a .git folder included); returns the commit.</summary>
    public Task<string> CheckoutAsync(RemoteTarget target, string directory, CancellationToken token) => WithinDeadlineAsync(async deadline =>
    {
        Directory.CreateDirectory(directory);
        await OffThreadAsync(() =>
        {
            using var repository = new Repository(Repository.Init(directory));
            repository.Network.Remotes.Add("origin", remote.Url);
            return 0;
        }, deadline);

        string revision;
        // The commit the server advertised (or the one named) is fetched by its id: git's protocol v2 then sends one
        // request, where a fetch by ref name lists the refs again first (over git:// each request also waits ~40 ms for
        // the server's last small write, Nagle against delayed ACKs: 58 ms against 104 ms measured, 68 ms for v0 by ref).
        // It is also exactly the commit the ref named when it was resolved, even if the ref moved since.
        if (target.Commit is { } sha && (await _git.TryRunAsync(directory, deadline, [.. Fetch, "--depth", "1", "origin", $"{sha}:{Fetched}"])).ExitCode == 0)
            revision = Fetched;
        else if (target.Source is { } source)
        {
            // A server that speaks only protocol v0 refuses an id no ref advertises (an annotated tag's commit): by the ref.
            string[] protocol = remote.Url.StartsWith("git://", StringComparison.Ordinal) ? ["-c", "protocol.version=0"] : [];
            await _git.RunAsync(directory, deadline, [.. protocol, .. Fetch, "--depth", "1", "origin", $"+{source}:{Fetched}"]);
            revision = Fetched;
        }
        else
        {
            // Servers that refuse an unadvertised commit still serve the whole history, and an abbreviated SHA needs it.
            await _git.RunAsync(directory, deadline, [.. Fetch, "origin", "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]);
            revision = target.Commit ?? target.Ref;
        }
        var commit = await OffThreadAsync(() => FindCommit(directory, revision, target), deadline);
        // The working tree comes from the git CLI, which streams each file from the pack: LibGit2Sharp's checkout read
        // every file whole into memory first (one 1 GB file took the cloner to 2 GB resident, measured).
        await _git.RunAsync(directory, deadline, "checkout", "--quiet", "--force", "--detach", commit);
        return commit;
    }, token);

    Task<IReadOnlyList<AdvertisedRef>> ListRefsAsync(CancellationToken deadline) => remote.UsesSsh
        ? _git.ListRefsAsync(deadline)
        : OffThreadAsync<IReadOnlyList<AdvertisedRef>>(() =>
        {
            var asked = 0;
            try
            {
                return [.. Repository.ListRemoteReferences(remote.Url, (_, _, _) => Credentials(++asked, deadline))
                    .Select(r => new AdvertisedRef(r.CanonicalName, r.ResolveToDirectReference()?.TargetIdentifier ?? "", (r as SymbolicReference)?.TargetIdentifier))];
            }
            catch (LibGit2SharpException e)
            {
                throw new CloneException($"git could not clone {remote}: {RepositoryUrl.Redact(e.Message)}");
            }
        }, deadline);

    /// <summary>libgit2 asks again after every 401, up to 15 times: the second question means the server refused the answer.</summary>
    Credentials Credentials(int asked, CancellationToken deadline)
    {
        deadline.ThrowIfCancellationRequested();
        if (remote.Username is null)
            throw new InvalidOperationException($"the server asks for credentials and RAD has none for it: put them in the URL (https://user:token@host/...) or set Rad__Cloner__Credentials__N__Host, __Username and __Password on the cloner");
        if (asked > 1)
            throw new InvalidOperationException("the server refused the credentials (authentication failed): check the user and token");
        return new UsernamePasswordCredentials { Username = remote.Username, Password = remote.Password };
    }

    string FindCommit(string directory, string revision, RemoteTarget target)
    {
        using var repository = new Repository(directory);
        Commit? commit;
        try
        {
            commit = repository.Lookup(revision)?.Peel<Commit>();
        }
        catch (AmbiguousSpecificationException)
        {
            throw new CloneException($"ref '{target.Ref}' names several commits in {remote}: give more characters of the SHA");
        }
        if (commit is null)
            throw new CloneException(target.Commit is null
                ? $"ref '{target.Ref}' was not found in {remote}: no branch, tag or commit has that name"
                : $"commit {target.Commit} was not found in {remote}");
        return commit.Sha;
    }

    /// <summary>libgit2 blocks its thread, so it gets a thread of its own; past the deadline the caller goes on and the thread finishes by itself.</summary>
    static Task<T> OffThreadAsync<T>(Func<T> work, CancellationToken deadline) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(deadline);

    async Task<T> WithinDeadlineAsync<T>(Func<CancellationToken, Task<T>> step, CancellationToken token)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        var left = timeout - Stopwatch.GetElapsedTime(_started);
        deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            return await step(deadline.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new CloneException($"cloning {remote} did not finish within {timeout.TotalSeconds:0} s (Rad__Cloner__CloneTimeout); is the repository server reachable?");
        }
    }
}
