using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rad.Cloner;
using Xunit;

namespace Rad.IntegrationTests.Cloner;

/// <summary>The cloner's checkout against real git servers (git daemon, git http-backend) this class starts and stops.</summary>
public sealed class GitCheckoutTests(GitServer server) : IClassFixture<GitServer>, IDisposable
{
    readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("rad-checkout-");
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    string Into(string name) => Path.Combine(_scratch.FullName, name);

    async Task<(RemoteTarget Target, string Commit)> CheckoutAsync(string repository, string gitRef, string directory, params GitCredential[] credentials)
    {
        var checkout = new GitCheckout(GitRemote.Parse(repository, credentials), Timeout);
        var target = await checkout.ResolveAsync(gitRef, CancellationToken.None);
        return (target, await checkout.CheckoutAsync(target, directory, CancellationToken.None));
    }

    static bool IsShallow(string directory) => File.Exists(Path.Combine(directory, ".git", "shallow"));

    /// <summary>The objects are in the pack the server sent, none loose (recompressing each one loose cost seconds per 100 MB).</summary>
    static void AssertKeptThePack(string directory)
    {
        var objects = Path.Combine(directory, ".git", "objects");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(objects, "pack"), "*.pack"));
        Assert.Empty(Directory.GetDirectories(objects).Where(d => Path.GetFileName(d).Length == 2).SelectMany(Directory.EnumerateFiles));
    }

    [Fact]
    public async Task Head_is_the_default_branch_fetched_shallow()
    {
        var (target, commit) = await CheckoutAsync(server.GitUrl("app"), "HEAD", Into("head"));

        Assert.Equal(server.Third, commit);
        Assert.Equal("refs/heads/main", target.Source);
        Assert.True(File.Exists(Path.Combine(Into("head"), "third.txt")));
        Assert.True(IsShallow(Into("head")));
        AssertKeptThePack(Into("head"));
    }

    [Fact]
    public async Task Branch_checks_out_its_tip_with_modes_and_links()
    {
        var (_, commit) = await CheckoutAsync(server.GitUrl("app"), "feature", Into("branch"));

        Assert.Equal(server.Second, commit);
        Assert.False(File.Exists(Path.Combine(Into("branch"), "third.txt")));
        Assert.Equal("second.txt", new FileInfo(Path.Combine(Into("branch"), "link.txt")).LinkTarget);
        Assert.True(File.GetUnixFileMode(Path.Combine(Into("branch"), "bin", "run.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.True(IsShallow(Into("branch")));
    }

    [Theory]
    [InlineData("light")]
    [InlineData("annotated")]
    public async Task Tags_resolve_to_their_commit_lightweight_or_annotated(string tag)
    {
        var (target, commit) = await CheckoutAsync(server.GitUrl("app"), tag, Into(tag));

        Assert.Equal(server.Second, target.Commit);
        Assert.Equal(server.Second, commit);
        Assert.Equal($"refs/tags/{tag}", target.Source);
        Assert.True(IsShallow(Into(tag)));
    }

    [Fact]
    public async Task Advertised_sha_is_fetched_shallow_by_the_ref_that_points_at_it()
    {
        var (target, commit) = await CheckoutAsync(server.GitUrl("app"), server.Second, Into("sha"));

        Assert.Equal("refs/heads/feature", target.Source);
        Assert.Equal(server.Second, commit);
        Assert.True(IsShallow(Into("sha")));
    }

    [Fact]
    public async Task A_big_file_is_written_without_being_held_in_memory()
    {
        const long Bytes = 256L * 1024 * 1024;
        var repository = await server.AddRepositoryWithFileAsync("big-file", "big.bin", Bytes);
        await ProcessStatus.ResetPeakAsync("self");
        var before = ProcessStatus.Kib("self", "VmRSS");

        await CheckoutAsync(repository, "HEAD", Into("big"));

        Assert.Equal(Bytes, new FileInfo(Path.Combine(Into("big"), "big.bin")).Length);
        // With LibGit2Sharp's checkout, which holds each file whole, this grew by 261 MB.
        var grew = (ProcessStatus.Kib("self", "VmHWM") - before) * 1024;
        Assert.True(grew < Bytes / 4, $"the checkout's peak resident memory grew by {grew / 1048576} MB for a file of {Bytes / 1048576} MB");
    }

    [Fact]
    public async Task Unadvertised_sha_is_fetched_by_commit()
    {
        var (target, commit) = await CheckoutAsync(server.GitUrl("app"), server.First, Into("unadvertised"));

        Assert.Null(target.Source);
        Assert.Equal(server.First, commit);
        Assert.False(File.Exists(Path.Combine(Into("unadvertised"), "second.txt")));
        Assert.True(File.Exists(Path.Combine(Into("unadvertised"), "rad.json")));
        AssertKeptThePack(Into("unadvertised"));
    }

    [Fact]
    public async Task Abbreviated_sha_is_found_in_the_history()
    {
        var (target, commit) = await CheckoutAsync(server.GitUrl("app"), server.First[..9], Into("short"));

        Assert.Null(target.Commit);
        Assert.Equal(server.First, commit);
    }

    [Fact]
    public async Task Unknown_repository_fails_with_the_servers_reason()
    {
        var url = server.GitUrl("nothere");
        var error = await Assert.ThrowsAsync<CloneException>(() => CheckoutAsync(url, "HEAD", Into("nothere")));

        Assert.Matches($@"^git could not clone git://127\.0\.0\.1:{server.DaemonPort}/nothere\.git: remote error: .*not exported", error.Message);
    }

    [Fact]
    public async Task Unknown_ref_fails_naming_the_ref()
    {
        var url = server.GitUrl("app");
        var error = await Assert.ThrowsAsync<CloneException>(() => CheckoutAsync(url, "release-9", Into("noref")));

        Assert.Equal($"ref 'release-9' was not found in {url}: it is no branch or tag there (commits are given by their full 40-character SHA)", error.Message);
    }

    [Fact]
    public async Task Unknown_commits_fail_naming_them()
    {
        var url = server.GitUrl("app");
        var full = await Assert.ThrowsAsync<CloneException>(() => CheckoutAsync(url, new string('e', 40), Into("nosha")));
        var abbreviated = await Assert.ThrowsAsync<CloneException>(() => CheckoutAsync(url, "eeeeeee", Into("noshort")));

        Assert.Equal($"commit {new string('e', 40)} was not found in {url}", full.Message);
        Assert.Equal($"ref 'eeeeeee' was not found in {url}: no branch, tag or commit has that name", abbreviated.Message);
    }

    [Fact]
    public async Task Credentials_from_the_url_are_used_and_written_nowhere()
    {
        var (_, commit) = await CheckoutAsync(server.HttpUrl("app", $"{GitServer.User}:{GitServer.Token}"), "feature", Into("url-credentials"));

        Assert.Equal(server.Second, commit);
        AssertNoFileContains(Into("url-credentials"), GitServer.Token);
        Assert.Contains($"url = {server.HttpUrl("app")}", await File.ReadAllTextAsync(Path.Combine(Into("url-credentials"), ".git", "config")));
    }

    [Fact]
    public async Task Https_with_credentials_checks_out_an_annotated_tag_and_writes_them_nowhere()
    {
        var (target, commit) = await CheckoutAsync(server.HttpsUrl("app", $"{GitServer.User}:{GitServer.Token}"), "annotated", Into("https"));

        Assert.Equal("refs/tags/annotated", target.Source);
        Assert.Equal(server.Second, commit);
        Assert.True(IsShallow(Into("https")));
        AssertNoFileContains(Into("https"), GitServer.Token);
    }

    [Fact]
    public async Task Configured_credentials_for_the_host_are_used_and_written_nowhere()
    {
        var configured = new GitCredential { Host = $"127.0.0.1:{server.HttpPort}", Username = GitServer.User, Password = GitServer.Token };

        var (_, commit) = await CheckoutAsync(server.HttpUrl("app"), server.First, Into("configured"), configured);

        Assert.Equal(server.First, commit);
        AssertNoFileContains(Into("configured"), GitServer.Token);
    }

    [Fact]
    public async Task Refused_or_missing_credentials_fail_clearly_without_showing_them()
    {
        var wrong = await Assert.ThrowsAsync<CloneException>(() => CheckoutAsync(server.HttpUrl("app", "bot:wrong-token-123"), "HEAD", Into("wrong")));
        var none = await Assert.ThrowsAsync<CloneException>(() => CheckoutAsync(server.HttpUrl("app"), "HEAD", Into("none")));

        Assert.Equal($"git could not clone http://***@127.0.0.1:{server.HttpPort}/app.git: the server refused the credentials (authentication failed): check the user and token", wrong.Message);
        Assert.StartsWith($"git could not clone {server.HttpUrl("app")}: the server asks for credentials and RAD has none for it", none.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_at_the_clone_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = $"git://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/app.git";
        var checkout = new GitCheckout(GitRemote.Parse(url, []), TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CloneException>(() => checkout.ResolveAsync("HEAD", CancellationToken.None));

        Assert.Equal($"cloning {url} did not finish within 1 s (Rad__Cloner__CloneTimeout); is the repository server reachable?", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancellation_stops_a_clone_at_once()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var checkout = new GitCheckout(GitRemote.Parse($"git://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/app.git", []), Timeout);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => checkout.ResolveAsync("HEAD", cancel.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    static void AssertNoFileContains(string directory, string secret)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}"));
        foreach (var file in files.Where(f => new FileInfo(f).LinkTarget is null))
            Assert.False(Encoding.Latin1.GetString(File.ReadAllBytes(file)).Contains(secret), $"{file} contains the token");
    }

    public void Dispose() => _scratch.Delete(recursive: true);
}
