using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// A whole RAD of the test's own, so that the test may restart its broker or its database mid-deployment: RabbitMQ and
/// PostgreSQL from Testcontainers, RAD's services run as processes from this checkout's Release build, and their own git
/// daemon, image registry and HAProxy edge, everything on free ports with its files in a temporary folder. The edge
/// listens on 127.0.0.2 so it never collides with the shared stack's edge on 127.0.0.1. Only the Docker engine (its
/// Swarm and network "rad") is shared. Every process, container and Swarm service it starts is removed at the end.
/// </summary>
public class IsolatedRad : IAsyncLifetime
{
    public const string EdgeHost = "127.0.0.2";

    // Every service that takes part in a deployment; the webhook service does not.
    static readonly (string Name, string Project)[] Services =
        [("status", "Rad.Status"), ("cloner", "Rad.Cloner"), ("builder", "Rad.Builder"), ("cluster-provisioner", "Rad.ClusterProvisioner"),
         ("deployer", "Rad.Deployer"), ("edge", "Rad.Edge")];

    readonly string _checkout = Stack.FindRoot();
    readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rad-tc-");
    readonly List<RecordedProcess> _processes = [];
    readonly List<string> _swarmServices = [];
    int _gitPort;
    int _registryPort;
    int _statusPort;
    bool _disposed;

    public OwnedRabbitMq Rabbit { get; } = new();
    public OwnedPostgres Postgres { get; } = new();
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public string Registry => $"127.0.0.1:{_registryPort}/tc";
    public Uri Api => new($"http://127.0.0.1:{_statusPort}");

    /// <summary>Each service's HTTP port (healthz, metrics, and the status service's API), by service name.</summary>
    public IReadOnlyDictionary<string, int> ServicePorts => _servicePorts;
    readonly Dictionary<string, int> _servicePorts = [];
    Dictionary<string, string> _environment = [];

    /// <summary>Settings a test class's own fixture adds to (or overrides in) every service's environment.</summary>
    protected virtual void Configure(IDictionary<string, string> environment)
    {
    }
    string State => _root.FullName;

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch (Exception e)
        {
            var tails = Tails();
            await DisposeAsync();
            throw new InvalidOperationException($"the test's own RAD did not start: {e.Message}\n{tails}", e);
        }
    }

    async Task StartAsync()
    {
        TestImages.RequireEnvironment();
        await RequireBuildAsync();
        await Task.WhenAll(Rabbit.InitializeAsync(), Postgres.InitializeAsync());
        foreach (var folder in (string[])["git", "registry/data", "edge", "work", "logs"])
            Directory.CreateDirectory(Path.Combine(State, folder));

        _gitPort = OwnedContainers.FreePort();
        var git = Path.Combine(State, "git");
        Start("git-daemon", State, "git", "daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1", $"--port={_gitPort}", $"--base-path={git}", git);

        _registryPort = OwnedContainers.FreePort();
        var registryConfig = Path.Combine(State, "registry", "config.yml");
        await File.WriteAllTextAsync(registryConfig, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(State, "registry", "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{_registryPort}
            """);
        Start("registry", State, "docker-registry", "serve", registryConfig);

        // As scripts/up starts the shared edge: master-worker mode with a master socket for Rad.Edge's hitless reloads.
        var edge = Path.Combine(State, "edge");
        File.Copy(Path.Combine(_checkout, "deploy", "haproxy-initial.cfg"), Path.Combine(edge, "haproxy.cfg"));
        Start("haproxy", State, new Dictionary<string, string> { ["Rad__Edge__AdminSocket"] = Path.Combine(edge, "admin.sock") },
            "haproxy", "-W", "-f", Path.Combine(edge, "haproxy.cfg"), "-S", $"{edge}/master.sock,mode,600");

        await WaitAsync("git daemon", () => AcceptsAsync(_gitPort));
        await WaitAsync("the image registry", async () => (await Http.GetAsync($"http://127.0.0.1:{_registryPort}/v2/")).IsSuccessStatusCode);
        await WaitAsync("HAProxy's master socket", () => Task.FromResult(File.Exists(Path.Combine(edge, "master.sock"))));

        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Rad__RabbitMq__Host"] = "127.0.0.1",
            ["Rad__RabbitMq__Port"] = Rabbit.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rad__RabbitMq__Username"] = OwnedContainers.User,
            ["Rad__RabbitMq__Password"] = Rabbit.Password,
            ["ConnectionStrings__Status"] = Postgres.ConnectionString,
            ["Rad__Workspace"] = Path.Combine(State, "work"),
            ["Rad__Edge__ConfigPath"] = Path.Combine(edge, "haproxy.cfg"),
            ["Rad__Edge__MasterSocket"] = Path.Combine(edge, "master.sock"),
            ["Rad__Edge__AdminSocket"] = Path.Combine(edge, "admin.sock"),
            ["Rad__Edge__BindAddress"] = EdgeHost,
            ["Rad__Deployer__EdgeHost"] = EdgeHost,
            // The suite's applications stay on the one local Swarm between tests, more than the default budget of 50
            // replicas by its end; a subclass that tests the budget sets its own.
            ["Rad__Deployer__ReplicaBudget"] = "1000",
        };
        Configure(environment);
        _environment = environment;
        var health = new List<(string Name, int Port)>();
        foreach (var (name, project) in Services)
        {
            var port = OwnedContainers.FreePort();
            if (name == "status")
                _statusPort = port;
            _servicePorts[name] = port;
            var bin = BinFolder(project);
            Start(name, bin, environment, "dotnet", Path.Combine(bin, $"{project}.dll"), "--urls", $"http://127.0.0.1:{port}");
            health.Add((name, port));
        }
        await Task.WhenAll(health.Select(s => WaitAsync($"{s.Name} (http://127.0.0.1:{s.Port}/healthz)",
            async () => (await Http.GetAsync($"http://127.0.0.1:{s.Port}/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(120))));
    }

    /// <summary>Commits the files as branch main of a repository on this RAD's git daemon and returns its URL.</summary>
    public async Task<string> PublishRepoAsync(string name, IReadOnlyDictionary<string, string> files, TimeSpan? limit = null)
    {
        var source = Directory.CreateTempSubdirectory("rad-tc-repo-");
        try
        {
            foreach (var (path, content) in files)
            {
                var full = Path.Combine(source.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, content);
            }
            var start = new ProcessStartInfo(Path.Combine(_checkout, "scripts", "publish-repo")) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(source.FullName);
            start.ArgumentList.Add(name);
            start.Environment["RAD_STATE"] = State;
            start.Environment["RAD_GIT_PORT"] = _gitPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(limit ?? TimeSpan.FromMinutes(1));
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"scripts/publish-repo exited {process.ExitCode}: {await stderr}");
            return (await stdout).Trim();
        }
        finally
        {
            source.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Commits the files on top of branch main of a repository published on this RAD's git daemon, with author and
    /// committer time <paramref name="committedAt"/>, pushes it and returns the new commit.
    /// </summary>
    public async Task<string> AddCommitAsync(string name, IReadOnlyDictionary<string, string> files, DateTimeOffset committedAt)
    {
        var work = Directory.CreateTempSubdirectory("rad-tc-commit-");
        try
        {
            await Stack.RunAsync("git", "clone", "-q", Path.Combine(State, "git", $"{name}.git"), work.FullName);
            foreach (var (path, content) in files)
                await File.WriteAllTextAsync(Path.Combine(work.FullName, path), content);
            var at = committedAt.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
            await Stack.RunAsync("git", "-C", work.FullName, "add", "-A");
            await Stack.RunAsync("env", $"GIT_AUTHOR_DATE={at}", $"GIT_COMMITTER_DATE={at}",
                "git", "-C", work.FullName, "-c", "user.name=rad", "-c", "user.email=rad@localhost", "commit", "-q", "-m", $"committed {at}");
            await Stack.RunAsync("git", "-C", work.FullName, "push", "-q", "origin", "main");
            return (await Stack.RunAsync("git", "-C", work.FullName, "rev-parse", "HEAD")).Trim();
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>An application port free on both edges' addresses: the shared edge routes every RAD service of the engine too.</summary>
    public static int FreeApplicationPort()
    {
        while (true)
        {
            var port = OwnedContainers.FreePort();
            try
            {
                using var probe = new TcpListener(IPAddress.Parse(EdgeHost), port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken on the edge's address: another one.
            }
        }
    }

    /// <summary>Swarm service <paramref name="name"/> (an application this RAD deploys) is removed, with its images, at the end.</summary>
    public void RemoveAtEnd(string swarmService) => _swarmServices.Add(swarmService);

    public async Task<Guid> DeployAsync(string repository)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(Api, "/api/deployments"), new { repository, @ref = "main" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DeploymentAccepted>())!.Id;
    }

    public async Task<DeploymentView> GetAsync(Guid id) =>
        (await Http.GetFromJsonAsync<DeploymentView>(new Uri(Api, $"/api/deployments/{id}")))!;

    /// <summary>
    /// Reads the deployment until the status API answers (bounded) and returns how many reads failed first: after a
    /// database restart, reads on pooled connections that the server closed fail once each.
    /// </summary>
    public async Task<int> FailedReadsUntilAnswerAsync(Guid id)
    {
        for (var failed = 0; failed < 50; failed++)
        {
            try
            {
                await GetAsync(id);
                return failed;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"the status API kept failing to read deployment {id}\n{Tails()}");
    }

    public Task<string> LogAsync(Guid id) => Http.GetStringAsync(new Uri(Api, $"/api/deployments/{id}/log"));

    /// <summary>Waits (bounded) until the deployment has ended; a status service that does not answer meanwhile is asked again.</summary>
    public async Task<DeploymentView> WaitForEndAsync(Guid id, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            try
            {
                var deployment = await GetAsync(id);
                if (deployment.State is "Succeeded" or "Failed" or "Superseded")
                    return deployment;
            }
            catch (HttpRequestException)
            {
                // The status service answers from PostgreSQL: while the database restarts, it may answer 500.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"deployment {id} did not end within {limit.TotalSeconds:0} s; log:\n{await LogAsync(id)}\n{Tails()}");
    }

    /// <summary>Whether one of this RAD's services (e.g. "status") has exited.</summary>
    public bool HasExited(string name) => _processes.Last(p => p.Name == name).HasExited;

    /// <summary>
    /// Starts one of this RAD's services again (stopping it first if it still runs) on the same port, its environment
    /// changed by <paramref name="changes"/> (a null value removes a setting), and waits until it is healthy.
    /// </summary>
    public async Task RestartServiceAsync(string name, IReadOnlyDictionary<string, string?>? changes = null)
    {
        var old = _processes.Last(p => p.Name == name);
        await old.DisposeAsync();
        _processes.Remove(old); // its log file stays: the new process appends to it
        var environment = new Dictionary<string, string>(_environment);
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
        {
            if (value is null)
                environment.Remove(key);
            else
                environment[key] = value;
        }
        var project = Services.Single(s => s.Name == name).Project;
        var bin = BinFolder(project);
        var port = _servicePorts[name];
        Start(name, bin, environment, "dotnet", Path.Combine(bin, $"{project}.dll"), "--urls", $"http://127.0.0.1:{port}");
        await WaitAsync($"{name} (http://127.0.0.1:{port}/healthz)", async () => (await Http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(120));
    }

    /// <summary>The log of one of this RAD's processes (e.g. "builder").</summary>
    public string ProcessLog(string name) => File.ReadAllText(_processes.Last(p => p.Name == name).Log);

    /// <summary>The process id of one of this RAD's processes (e.g. "builder"), to read its memory from /proc.</summary>
    public int ProcessId(string name) => _processes.Single(p => p.Name == name).Id;

    /// <summary>The last lines of every process's log, for a failure message.</summary>
    public string Tails() => string.Join('\n', _processes.Select(p => p.Tail()));

    public async Task DisposeAsync()
    {
        // Also called by InitializeAsync when the start fails; xunit may call it again.
        if (_disposed)
            return;
        _disposed = true;
        // The RAD services first, so nothing re-creates or re-routes what is removed after them.
        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
        foreach (var service in _swarmServices)
            await RemoveSwarmServiceAsync(service);
        await Task.WhenAll(Rabbit.DisposeAsync(), Postgres.DisposeAsync());
        Http.Dispose();
        KeepLogs();
        _root.Delete(recursive: true);
    }

    /// <summary>The processes' logs of the latest run stay in .rad/logs/isolated-rad for a look after a failure.</summary>
    void KeepLogs()
    {
        var kept = Path.Combine(Environment.GetEnvironmentVariable("RAD_STATE") ?? Path.Combine(_checkout, ".rad"), "logs", "isolated-rad");
        if (Directory.Exists(kept))
            Directory.Delete(kept, recursive: true);
        Directory.CreateDirectory(kept);
        // A start that failed before the logs folder existed has none; its own error says why.
        var logs = Path.Combine(State, "logs");
        if (!Directory.Exists(logs))
            return;
        foreach (var log in Directory.EnumerateFiles(logs))
            File.Copy(log, Path.Combine(kept, Path.GetFileName(log)));
    }

    async Task RemoveSwarmServiceAsync(string name)
    {
        // The application's service, and its other slot (NAME_b) once a second revision was deployed.
        var services = (await Stack.RunAsync("docker", "service", "ls", "--format", "{{.Name}}", "--filter", $"name={name}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(s => s == name || s.StartsWith(name + "_", StringComparison.Ordinal)).ToList();
        foreach (var service in services)
            await Stack.RunAsync("docker", "service", "rm", service);
        // Swarm removes the services' containers shortly after; the images can go once they have.
        var watch = Stopwatch.StartNew();
        foreach (var service in services)
            while ((await Stack.RunAsync("docker", "ps", "-aq", "--filter", $"label=com.docker.swarm.service.name={service}")).Trim().Length > 0
                   && watch.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(250);
        var images = (await Stack.RunAsync("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", $"{Registry}/{name}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (images.Length > 0)
            await Stack.RunAsync("docker", ["image", "rm", "-f", .. images]);
    }

    RecordedProcess Start(string name, string workingDirectory, string file, params string[] arguments) =>
        Start(name, workingDirectory, new Dictionary<string, string>(), file, arguments);

    RecordedProcess Start(string name, string workingDirectory, IReadOnlyDictionary<string, string> environment, string file, params string[] arguments)
    {
        var process = RecordedProcess.Start(name, Path.Combine(State, "logs", $"{name}.log"), workingDirectory, environment, file, arguments);
        _processes.Add(process);
        return process;
    }

    string BinFolder(string project) => Path.Combine(_checkout, "services", project, "bin", "Release", "net10.0");

    async Task RequireBuildAsync()
    {
        var missing = Services.Where(s => !File.Exists(Path.Combine(BinFolder(s.Project), $"{s.Project}.dll"))).Select(s => s.Project).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"{string.Join(", ", missing)} not built in Release: run dotnet build Rad.Services.sln -c Release (scripts/test does).");
        try
        {
            await Stack.RunAsync("docker", "image", "inspect", "--format", "{{.Id}}", "rad/busybox:local");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException("image rad/busybox:local, which the test applications build FROM, is missing: run scripts/up (it makes it).", e);
        }
    }

    async Task WaitAsync(string what, Func<Task<bool>> ready, TimeSpan? limit = null)
    {
        var max = limit ?? TimeSpan.FromSeconds(30);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
                throw new InvalidOperationException($"{dead.Name} exited while waiting for {what}");
            try
            {
                if (await ready())
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (watch.Elapsed > max)
                throw new TimeoutException($"{what} did not come up within {max.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return true;
    }

    sealed record DeploymentAccepted(Guid Id);
}
