using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LibGit2Sharp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.Cloner;
using Rad.CloneBench;

// Usage: Rad.CloneBench WORK_DIR SAMPLE_DIR [RUNS]   (scripts/bench-clone runs it)
// Clone time, median of RUNS, from a git daemon on 127.0.0.1 that this tool starts and stops: before (the git CLI
// commands the cloner ran until LibGit2Sharp), after (what the cloner does now: first deploy of a commit, and the
// same commit again), and, for comparison, a LibGit2Sharp-only clone (a full fetch of the ref: it cannot fetch shallow).
var (work, sample, runs) = (args[0], args[1], args.Length > 2 ? int.Parse(args[2]) : 5);
var repositories = Path.Combine(work, "repos");
Directory.CreateDirectory(repositories);
BenchRepositories.Create(repositories, sample);

using var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
var port = ((IPEndPoint)listener.LocalEndpoint).Port;
listener.Stop();
// Its stderr is dropped: upload-pack says "the remote end hung up" whenever libgit2 ends an ls-remote without a flush.
using var daemon = Process.Start(new ProcessStartInfo("git", ["daemon", "--export-all", $"--base-path={repositories}", "--reuseaddr", $"--port={port}", "--listen=127.0.0.1"]) { RedirectStandardError = true })!;
daemon.ErrorDataReceived += (_, _) => { };
daemon.BeginErrorReadLine();
try
{
    await WaitForPortAsync(port);
    Console.WriteLine($"git daemon pid {daemon.Id} on 127.0.0.1:{port}; {runs} runs per cell, median in ms; .git size after the clone in parentheses\n");
    Console.WriteLine("| repository | ref | before: git CLI | after: first deploy of the commit | after: same commit again | LibGit2Sharp only (full fetch) |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach (var name in new[] { "sample", "big" })
    {
        var url = $"git://127.0.0.1:{port}/{name}.git";
        var history = DirectorySize(Path.Combine(repositories, $"{name}.git")) / 1e6;
        var (advertised, unadvertised) = BenchRepositories.Commits(Path.Combine(repositories, $"{name}.git"));
        var label = $"{name} ({history:0.0} MB of history)";

        var ls = await MedianAsync(runs,
            _ => Cli.RunAsync(Path.GetTempPath(), "ls-remote", "--", url),
            _ => new GitCheckout(GitRemote.Parse(url, []), TimeSpan.FromMinutes(5)).ResolveAsync("HEAD", CancellationToken.None));
        Console.WriteLine($"| {label} | resolve only (ls-remote) | {ls[0].Ms} | {ls[1].Ms} | | |");

        foreach (var (gitRef, what) in new[] { ("HEAD", "HEAD"), ("release", "branch"), ("v1", "tag"), (advertised, "SHA, advertised"), (unadvertised, "SHA, unadvertised") })
        {
            // Fills the cache, so that "same commit again" measures hits only.
            await Cloner.SameCommitAgainAsync(url, gitRef, Path.Combine(work, $"warm-up-{Guid.NewGuid():N}"));
            var m = await MedianAsync(runs,
                dir => OldCli.CloneAsync(url, gitRef, dir),
                dir => Cloner.FirstDeployAsync(url, gitRef, dir),
                dir => Cloner.SameCommitAgainAsync(url, gitRef, dir),
                dir => LibGit2Only.CloneAsync(url, gitRef, dir));
            Console.WriteLine($"| {label} | {what} | {m[0]} | {m[1]} | {m[2].Ms} | {m[3]} |");
        }
    }
}
finally
{
    daemon.Kill(entireProcessTree: true);
    daemon.WaitForExit();
}

// The approaches take turns within each run, so a change in the machine's load falls on all of them alike.
async Task<Measured[]> MedianAsync(int count, params Func<string, Task>[] approaches)
{
    var times = approaches.Select(_ => new List<double>()).ToArray();
    var gitSizes = new long[approaches.Length];
    for (var i = 0; i < count; i++)
        for (var a = 0; a < approaches.Length; a++)
        {
            var directory = Path.Combine(work, $"run-{Guid.NewGuid():N}");
            var watch = Stopwatch.StartNew();
            await approaches[a](directory);
            times[a].Add(watch.Elapsed.TotalMilliseconds);
            gitSizes[a] = Directory.Exists(Path.Combine(directory, ".git")) ? DirectorySize(Path.Combine(directory, ".git")) : 0;
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    return [.. times.Select((t, a) => new Measured(t.Order().ElementAt(t.Count / 2), gitSizes[a]))];
}

static long DirectorySize(string directory) =>
    new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

static async Task WaitForPortAsync(int port)
{
    for (var attempt = 0; attempt < 100; attempt++)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            await Task.Delay(50);
        }
    }
    throw new TimeoutException($"git daemon did not listen on {port}");
}

sealed record Measured(double Median, long GitBytes)
{
    public string Ms => $"{Median:0}";
    public override string ToString() => $"{Median:0} ({GitBytes / 1e6:0.0} MB)";
}

/// <summary>The git commands the cloner ran before LibGit2Sharp (GitCheckout.cs at 4eeecee), one process each.</summary>
static class OldCli
{
    public static async Task CloneAsync(string url, string gitRef, string directory)
    {
        Directory.CreateDirectory(directory);
        if (gitRef.Length == 40)
        {
            await Cli.RunAsync(directory, "init", "--quiet");
            await Cli.RunAsync(directory, "remote", "add", "origin", url);
            await Cli.RunAsync(directory, "fetch", "--quiet", "--depth", "1", "origin", gitRef);
            await Cli.RunAsync(directory, "checkout", "--quiet", "--detach", "FETCH_HEAD");
        }
        else if (gitRef == "HEAD")
            await Cli.RunAsync(directory, "clone", "--quiet", "--depth", "1", "--no-tags", "--", url, ".");
        else
            await Cli.RunAsync(directory, "clone", "--quiet", "--depth", "1", "--no-tags", "--branch", gitRef, "--", url, ".");
        await Cli.RunAsync(directory, "rev-parse", "HEAD");
    }
}

static class Cli
{
    public static async Task RunAsync(string directory, params string[] arguments)
    {
        var git = new GitCli(GitRemote.Parse("git://unused", []));
        var result = await git.TryRunAsync(directory, CancellationToken.None, arguments);
        if (result.ExitCode != 0)
            throw git.Failure(result);
    }
}

/// <summary>What CloneRepositoryConsumer does on a cache miss and on a hit.</summary>
static class Cloner
{
    public static async Task FirstDeployAsync(string url, string gitRef, string directory)
    {
        var remote = GitRemote.Parse(url, []);
        var checkout = new GitCheckout(remote, TimeSpan.FromMinutes(5));
        // The consumer fills the cache after it has published RepositoryCloned, so that is not part of the clone's time.
        await checkout.CheckoutAsync(await checkout.ResolveAsync(gitRef, CancellationToken.None), directory, CancellationToken.None);
    }

    public static async Task SameCommitAgainAsync(string url, string gitRef, string directory)
    {
        var workspace = Path.Combine(Path.GetDirectoryName(directory)!, "warm-workspace");
        var remote = GitRemote.Parse(url, []);
        var target = await new GitCheckout(remote, TimeSpan.FromMinutes(5)).ResolveAsync(gitRef, CancellationToken.None);
        if (target.Commit is null || !Cache(workspace).TryCopyTo(remote, target.Commit, directory))
            // Only the warm-up of a cell gets here.
            await FirstDeployIntoAsync(workspace, remote, gitRef, directory);
    }

    static async Task FirstDeployIntoAsync(string workspace, GitRemote remote, string gitRef, string directory)
    {
        var checkout = new GitCheckout(remote, TimeSpan.FromMinutes(5));
        var commit = await checkout.CheckoutAsync(await checkout.ResolveAsync(gitRef, CancellationToken.None), directory, CancellationToken.None);
        Cache(workspace).Add(remote, commit, directory);
    }

    static CheckoutCache Cache(string workspace) => new(
        Options.Create(new ClonerOptions { Workspace = workspace }), TimeProvider.System, NullLogger<CheckoutCache>.Instance);
}

/// <summary>A clone with LibGit2Sharp alone: its Commands.Fetch ignores FetchOptions.Depth, so this fetches the ref's whole history.</summary>
static class LibGit2Only
{
    public static async Task CloneAsync(string url, string gitRef, string directory)
    {
        var target = await new GitCheckout(GitRemote.Parse(url, []), TimeSpan.FromMinutes(5)).ResolveAsync(gitRef, CancellationToken.None);
        using var repository = new Repository(Repository.Init(directory));
        repository.Network.Remotes.Add("origin", url);
        // libgit2 refuses to fetch a commit by SHA ("cannot fetch a specific object"): an unadvertised one needs every ref.
        string[] specs = target.Source is { } source ? [$"+{source}:refs/rad/fetched"] : ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"];
        Commands.Fetch(repository, "origin", specs, new FetchOptions { TagFetchMode = TagFetchMode.None }, null);
        var commit = repository.Lookup(target.Source is null ? target.Commit! : "refs/rad/fetched").Peel<Commit>();
        repository.Checkout(commit.Tree, null, new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.Force });
    }
}
