using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.Builder;
using Rad.Clusters;
using Rad.Clusters.Kubernetes;
using Rad.Contracts;
using Rad.Docker;
using Rad.FakeKubernetes;
using Rad.Kubernetes;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 18: rad.json chose which registry credentials RAD used (matched by host only), so any repository could
/// push anywhere on that host with RAD's login, and that push login was written as a pull secret into every namespace.
/// Here the builder's consumer runs in-process against the Docker engine and a registry of the test's own that demands a
/// login (docker-registry with htpasswd on a free port), and the Kubernetes deployer against the fake API server.
/// </summary>
public sealed class HostileRegistryCredentialsTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string PushUser = "rad-push";
    const string PushPassword = "push-pw-3f9a1c-never-shown";
    const string PullUser = "rad-pull";
    const string PullPassword = "pull-pw-b71e20-never-shown";

    readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rad-it-hostile-registry-");
    readonly int _port = Cloner.GitServer.FreePort();
    readonly List<string> _images = [];
    readonly StringBuilder _logs = new();
    Process? _registry;
    IDockerClient _docker = null!;

    string Host => $"127.0.0.1:{_port}";

    public async Task InitializeAsync()
    {
        string Hash(string password) =>
            Stack.RunAsync("python3", "-c", "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))", password).GetAwaiter().GetResult().Trim();
        await File.WriteAllTextAsync(Path.Combine(_root.FullName, "htpasswd"), $"{PushUser}:{Hash(PushPassword)}\n{PullUser}:{Hash(PullPassword)}\n");
        await File.WriteAllTextAsync(Path.Combine(_root.FullName, "config.yml"), $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {_root.FullName}/data
            auth:
              htpasswd:
                realm: rad-test
                path: {_root.FullName}/htpasswd
            http:
              addr: {Host}
            """);
        _registry = Process.Start(new ProcessStartInfo("docker-registry", ["serve", Path.Combine(_root.FullName, "config.yml")])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _registry.BeginOutputReadLine();
        _registry.BeginErrorReadLine();
        using var http = new HttpClient();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var answer = await http.GetAsync($"http://{Host}/v2/");
                if (answer.StatusCode == System.Net.HttpStatusCode.Unauthorized)
                    break;
            }
            catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(20))
            {
            }
            await Task.Delay(100);
        }
        _docker = DockerRegistration.Connect();
    }

    RegistryLogin Login(string prefix, string access, string user, string password) =>
        new() { Host = Host, PathPrefix = prefix, Access = access, Username = user, Password = password };

    /// <summary>The builder's consumer on MassTransit's in-memory harness, with these credentials as configuration would bind them.</summary>
    async Task<(ServiceProvider Provider, ITestHarness Harness)> StartBuilderAsync(params RegistryLogin[] logins)
    {
        var provider = new ServiceCollection()
            .AddLogging(l => l.AddProvider(new CapturingLoggerProvider(_logs)))
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton(_docker)
            .AddSingleton<RegistryInspector>()
            .AddSingleton<ImageBuilder>()
            .AddSingleton<DeploymentBuilds>()
            .AddSingleton(Options.Create(new RegistryCredentials { Registries = [.. logins] }))
            .AddMassTransitTestHarness(x => x.AddConsumer<BuildImageConsumer>())
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (provider, harness);
    }

    async Task<object> BuildAsync(ITestHarness harness, string registryAddress)
    {
        var id = NewId.NextGuid();
        var checkout = Directory.CreateDirectory(Path.Combine(_root.FullName, id.ToString("N")));
        await File.WriteAllTextAsync(Path.Combine(checkout.FullName, "Dockerfile"), "FROM rad/busybox:local\nCOPY hello.txt /hello.txt\n");
        await File.WriteAllTextAsync(Path.Combine(checkout.FullName, "hello.txt"), id.ToString());
        var commit = id.ToString("N") + "00000000";
        _images.Add($"{registryAddress}/app:{commit}");
        await harness.Bus.Publish(new BuildImage(id, "git://127.0.0.1/app.git", commit, checkout.FullName, registryAddress, new ApplicationSpec("app", "Dockerfile", ".", 1, 30000, 8080)));
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (harness.Published.Select<ImageBuilt>(m => m.Context.Message.DeploymentId == id).FirstOrDefault() is { } built)
                return built.Context.Message;
            if (harness.Published.Select<ImageBuildFailed>(m => m.Context.Message.DeploymentId == id).FirstOrDefault() is { } failed)
                return failed.Context.Message;
            // The consumer threw (or could not be made): say why at once rather than after the wait.
            if (harness.Published.Select<Fault<BuildImage>>(m => m.Context.Message.Message.DeploymentId == id).FirstOrDefault() is { } fault)
                throw new InvalidOperationException($"the build of {id} faulted: {string.Join("; ", fault.Context.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"))}");
            await Task.Delay(20);
        }
        throw new TimeoutException($"build {id} did not end within 60 s");
    }

    [Fact]
    public async Task A_rad_json_registry_path_outside_the_push_credentials_prefixes_is_refused_at_once_and_nothing_is_built()
    {
        var (provider, harness) = await StartBuilderAsync(Login("team-a", RegistryAccess.Push, PushUser, PushPassword));
        await using var _ = provider;

        // The first message through the in-memory harness also builds its pipeline: time the second refusal too.
        var watch = Stopwatch.StartNew();
        var outcome = await BuildAsync(harness, $"{Host}/team-b");
        var first = watch.Elapsed;
        watch.Restart();
        var segment = await BuildAsync(harness, $"{Host}/team-ab");
        var second = watch.Elapsed;
        output.WriteLine($"refusals took {first.TotalMilliseconds:0} ms (first message through the harness) and {second.TotalMilliseconds:0} ms: {(outcome as ImageBuildFailed)?.Reason}");

        var failed = Assert.IsType<ImageBuildFailed>(outcome);
        Assert.Contains($"{Host}/team-b/app", failed.Reason);
        Assert.Contains("team-a/", failed.Reason);
        Assert.Contains("registry.address", failed.Reason);
        Assert.DoesNotContain(PushPassword, failed.Reason);
        Assert.DoesNotContain(PushPassword, _logs.ToString());
        // A prefix covers whole path segments: team-a does not cover team-ab.
        Assert.Contains($"{Host}/team-ab/app", Assert.IsType<ImageBuildFailed>(segment).Reason);
        Assert.True(second < TimeSpan.FromSeconds(1), $"the refusal took {second.TotalMilliseconds:0} ms");
        // Refused before building: the engine has no image of either name.
        foreach (var path in new[] { "team-b", "team-ab" })
            Assert.Empty(await _docker.Images.ListImagesAsync(new ImagesListParameters
                { Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [$"{Host}/{path}/app"] = true } } }));
    }

    [Fact]
    public async Task The_longest_prefix_wins_and_a_path_under_it_pushes_with_its_own_login()
    {
        // The whole host with a login the registry refuses, team-a with the right one: team-a's images push with team-a's.
        var (provider, harness) = await StartBuilderAsync(
            Login("/", RegistryAccess.Push, PushUser, "wrong-" + PushPassword),
            Login("team-a", RegistryAccess.Push, PushUser, PushPassword),
            Login("team-a", RegistryAccess.Pull, PullUser, PullPassword));
        await using var _ = provider;

        var underTeamA = await BuildAsync(harness, $"{Host}/team-a/web");
        var elsewhere = await BuildAsync(harness, $"{Host}/other");

        var built = Assert.IsType<ImageBuilt>(underTeamA);
        Assert.Matches("^sha256:[0-9a-f]{64}$", built.Digest);
        var refused = Assert.IsType<ImageBuildFailed>(elsewhere);
        output.WriteLine($"with the host-wide entry's login: {refused.Reason}");
        Assert.Contains("push of", refused.Reason);
        Assert.DoesNotContain(PushPassword, refused.Reason);
        Assert.DoesNotContain(PushPassword, _logs.ToString());
    }

    [Fact]
    public async Task Kubernetes_gets_only_the_read_only_pull_credentials_of_the_images_path_never_the_push_ones()
    {
        await using var server = await FakeKubernetesServer.StartAsync();
        var registries = new RegistryCredentials
        {
            Registries =
            [
                Login("team-a", RegistryAccess.Push, PushUser, PushPassword),
                Login("team-a", RegistryAccess.Pull, PullUser, PullPassword),
                Login("/", RegistryAccess.Push, PushUser, PushPassword),
            ],
        };
        var deployer = new KubernetesDeployer(new KubernetesClientFactory(), Options.Create(registries),
            Options.Create(new DeployerOptions { RolloutTimeout = TimeSpan.FromSeconds(20), PollInterval = TimeSpan.FromMilliseconds(50) }), NullLogger<KubernetesDeployer>.Instance);
        var context = Kubeconfig.Load(server.Kubeconfig("shop"));
        var cluster = new RegisteredCluster("prod", RegisteredCluster.KubernetesKind, context.Server.ToString(), context.Name, "shop", context.AuthKind,
            Kubeconfig.Flatten(context), DateTimeOffset.UtcNow);
        DeployApplication Command(string name, string image) => new(Guid.NewGuid(), "prod", Network: null, Namespace: "shop", "git://example/app.git", new string('a', 40),
            new ApplicationSpec(name, "Dockerfile", ".", 1, 8080, 8080), image);

        await deployer.DeployAsync(Command("web", $"{Host}/team-a/web@sha256:{new string('1', 64)}"), cluster, new NoProgress(), CancellationToken.None);
        await deployer.DeployAsync(Command("api", $"{Host}/team-b/api@sha256:{new string('2', 64)}"), cluster, new NoProgress(), CancellationToken.None);

        var secrets = server.Store.List(ResourceType.All.First(r => r.Kind == "Secret"), "shop");
        var secret = Assert.Single(secrets);
        var auths = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![".dockerconfigjson"]!.GetValue<string>())))!["auths"]!.AsObject();
        Assert.Equal(PullUser, auths[Host]!["username"]!.GetValue<string>());
        Assert.DoesNotContain(PushPassword, secret.ToJsonString());
        Assert.DoesNotContain(PushPassword, Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![".dockerconfigjson"]!.GetValue<string>())));
        var deployments = ResourceType.All.First(r => r.Kind == "Deployment");
        Assert.Equal(secret["metadata"]!["name"]!.GetValue<string>(),
            server.Store.Get(deployments, "shop", "web")!["spec"]!["template"]!["spec"]!["imagePullSecrets"]![0]!["name"]!.GetValue<string>());
        // team-b has push credentials (the host-wide entry) but no pull ones: no secret, and none borrowed from team-a.
        Assert.Null(server.Store.Get(deployments, "shop", "api")!["spec"]!["template"]!["spec"]!["imagePullSecrets"]);
    }

    [Fact]
    public void The_old_host_only_form_is_refused_at_start_up_saying_how_to_migrate_without_the_password()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rad:Registries:0:Server"] = "registry.example.com",
            ["Rad:Registries:0:Username"] = "ci",
            ["Rad:Registries:0:Password"] = PushPassword,
        }).Build();
        using var provider = new ServiceCollection().AddRadDocker(configuration).BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RegistryCredentials>>().Value);

        output.WriteLine(refused.Message);
        Assert.Contains("Rad__Registries__0__Server is the old host-wide form", refused.Message);
        Assert.Contains("Rad__Registries__0__Host=registry.example.com", refused.Message);
        Assert.Contains("__Access=pull", refused.Message);
        Assert.DoesNotContain(PushPassword, refused.Message);
    }

    public async Task DisposeAsync()
    {
        foreach (var image in _images)
        {
            try
            {
                await _docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
            }
            catch (DockerApiException)
            {
                // Never built: nothing to remove.
            }
        }
        _docker.Dispose();
        if (_registry is { HasExited: false })
        {
            _registry.Kill();
            await _registry.WaitForExitAsync();
        }
        _registry?.Dispose();
        _root.Delete(recursive: true);
    }

    sealed class NoProgress : IRolloutProgress
    {
        public Task StepAsync(string step, string state, string? message) => Task.CompletedTask;
    }
}

/// <summary>Every log line written, with its arguments, so a test can look for a secret in them.</summary>
public sealed class CapturingLoggerProvider(StringBuilder sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(sink);

    public void Dispose()
    {
    }

    sealed class Logger(StringBuilder sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (sink)
                sink.AppendLine($"{logLevel}: {formatter(state, exception)} {exception}");
        }
    }
}
