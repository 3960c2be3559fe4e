using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>
/// The running RAD stack that scripts/test started (scripts/up): its HTTP API, its git server, its scripts and the
/// Docker engine. Fails fast with what to do when the stack is not there.
/// </summary>
public sealed class Stack : IAsyncLifetime
{
    static int _nextPort = 31000 + Random.Shared.Next(0, 40) * 20;

    public Uri Api { get; } = new(Environment.GetEnvironmentVariable("RAD_API") ?? "http://127.0.0.1:7080");
    public string Root { get; } = FindRoot();
    public string State => Environment.GetEnvironmentVariable("RAD_STATE") ?? Path.Combine(Root, ".rad");
    public Uri Webhooks { get; } = new(Environment.GetEnvironmentVariable("RAD_WEBHOOKS") ?? "http://127.0.0.1:7081");
    public HttpClient Http { get; } = ApiClient(Environment.GetEnvironmentVariable("RAD_API_TOKEN"));

    /// <summary>The secret the webhook service runs with; scripts/test sets it (making one up when the caller gave none).</summary>
    public static string WebhookSecret => Environment.GetEnvironmentVariable("RAD_WEBHOOK_SECRET") is { Length: > 0 } secret ? secret
        : throw new InvalidOperationException("RAD_WEBHOOK_SECRET is not set: run the suite with scripts/test, which sets it and starts the webhook service with it.");

    public static HttpClient ApiClient(string? token)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token))
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task InitializeAsync()
    {
        try
        {
            using var health = await Http.GetAsync(new Uri(Api, "/healthz"));
            health.EnsureSuccessStatusCode();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"The RAD API at {Api} does not answer ({e.Message}). Run the suite with scripts/test, which starts the stack, or run scripts/up first.", e);
        }
        // Services left by an earlier run of this suite would hold ports; the suite names all of its own "it-".
        // On a fresh machine there is no Swarm yet (the first deployment creates it), so nothing is left either.
        if ((await RunAsync("docker", "info", "--format", "{{.Swarm.LocalNodeState}}")).Trim() != "active")
            return;
        foreach (var service in (await RunAsync("docker", "service", "ls", "--format", "{{.Name}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (service.StartsWith("it-", StringComparison.Ordinal))
                await RunAsync("docker", "service", "rm", service);
    }

    public Task DisposeAsync()
    {
        Http.Dispose();
        return Task.CompletedTask;
    }

    public static string UniqueName(string purpose) => $"it-{purpose}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>A port on 127.0.0.1 that nothing answers on now.</summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _nextPort);
            using var client = new TcpClient();
            try
            {
                client.Connect("127.0.0.1", port);
            }
            catch (SocketException)
            {
                return port;
            }
        }
    }

    /// <summary>Publishes the files as the single commit of branch main of a repository on RAD's git server.</summary>
    /// <summary>Publishes the files, and symbolic links (path in the repository to target), as the repository NAME.</summary>
    public async Task<string> PublishRepoAsync(string name, IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string>? links = null)
    {
        var directory = Directory.CreateTempSubdirectory("rad-it-");
        try
        {
            foreach (var (path, content) in files)
            {
                var full = Path.Combine(directory.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, content);
            }
            foreach (var (path, target) in links ?? new Dictionary<string, string>())
            {
                var full = Path.Combine(directory.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.CreateSymbolicLink(full, target);
            }
            return (await ScriptAsync("publish-repo", directory.FullName, name)).Trim();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Commits the files on top of branch main of a repository published earlier, pushes it, and returns the new commit.</summary>
    public async Task<string> AddCommitAsync(string name, IReadOnlyDictionary<string, string> files)
    {
        var work = Directory.CreateTempSubdirectory("rad-it-commit-");
        try
        {
            await RunAsync("git", "clone", "-q", Path.Combine(State, "git", $"{name}.git"), work.FullName);
            foreach (var (path, content) in files)
                await File.WriteAllTextAsync(Path.Combine(work.FullName, path), content);
            await RunAsync("git", "-C", work.FullName, "add", "-A");
            await RunAsync("git", "-C", work.FullName, "-c", "user.name=rad", "-c", "user.email=rad@localhost", "commit", "-q", "-m", "next");
            await RunAsync("git", "-C", work.FullName, "push", "-q", "origin", "main");
            return (await RunAsync("git", "-C", work.FullName, "rev-parse", "HEAD")).Trim();
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    public async Task<string> CommitOfAsync(string name, string branch = "main") =>
        (await RunAsync("git", "--git-dir", Path.Combine(State, "git", $"{name}.git"), "rev-parse", branch)).Trim();

    /// <summary>Runs scripts/rad with the arguments and returns its exit code and output, whatever the exit code.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(params string[] arguments) => RunCliAsync(Api, inheritToken: true, arguments);

    /// <summary>
    /// scripts/rad of this checkout against the API at <paramref name="api"/>; without <paramref name="inheritToken"/> it
    /// gets no RAD_API_TOKEN from the test's environment (a RAD of the test's own that has none).
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(Uri api, bool inheritToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(FindRoot(), "scripts", "rad")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["RAD_API"] = api.ToString();
        if (!inheritToken)
            start.Environment.Remove("RAD_API_TOKEN");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public Task<string> ScriptAsync(string script, params string[] arguments) =>
        RunAsync(Path.Combine(Root, "scripts", script), arguments);

    public async Task<Guid> DeployAsync(string repository, string? @ref = null, string? cluster = null)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(Api, "/api/deployments"), new { repository, @ref, cluster });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("id").GetGuid();
    }

    /// <summary>The API's view of a deployment, read as the shared type the status service writes and the CLI reads.</summary>
    public async Task<DeploymentView> GetAsync(Guid id) =>
        await Http.GetFromJsonAsync<DeploymentView>(new Uri(Api, $"/api/deployments/{id}"), Json)
        ?? throw new InvalidOperationException($"GET /api/deployments/{id} answered null");

    /// <summary>The same answer as text, for checks that must cover every field (e.g. that no secret appears anywhere).</summary>
    public Task<string> GetRawAsync(Guid id) => Http.GetStringAsync(new Uri(Api, $"/api/deployments/{id}"));

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<string> LogAsync(Guid id) => await Http.GetStringAsync(new Uri(Api, $"/api/deployments/{id}/log"));

    /// <summary>Waits (checking every 200 ms, bounded) until the deployment has ended, and returns it.</summary>
    public async Task<DeploymentView> WaitForEndAsync(Guid id, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        var max = limit ?? TimeSpan.FromSeconds(120);
        while (deadline.Elapsed < max)
        {
            var deployment = await GetAsync(id);
            if (DeploymentStates.IsFinal(deployment.State))
                return deployment;
            await Task.Delay(200);
        }
        throw new TimeoutException($"deployment {id} did not end within {max.TotalSeconds:0} s; log:\n{await LogAsync(id)}");
    }

    public async Task<DeploymentView> WaitForStageAsync(Guid id, string stage, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            var deployment = await GetAsync(id);
            if (deployment.Stages.Any(s => s.Name == stage))
                return deployment;
            await Task.Delay(100);
        }
        throw new TimeoutException($"stage {stage} of {id} did not start within {limit.TotalSeconds:0} s");
    }

    /// <summary>The resident memory (MB) of the RAD service whose pid scripts/up recorded.</summary>
    public long ServiceRssMegabytes(string service)
    {
        var pid = File.ReadAllText(Path.Combine(State, "run", $"{service}.pid")).Trim();
        return ProcessStatus.Kib(pid, "VmRSS") / 1024;
    }

    /// <summary>Kills, with SIGKILL, the RAD service whose pid scripts/up recorded; only that process.</summary>
    public void KillService(string service)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(State, "run", $"{service}.pid")).Trim());
        using var process = Process.GetProcessById(pid);
        process.Kill(entireProcessTree: false);
        process.WaitForExit(10_000);
    }

    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    internal static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Rad.Services.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Rad.Services.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(nameof(StackCollection))]
public sealed class StackCollection : ICollectionFixture<Stack>;
