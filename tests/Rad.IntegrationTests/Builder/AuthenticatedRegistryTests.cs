using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Rad.Builder;
using Rad.Docker;
using Xunit;

namespace Rad.IntegrationTests.Builder;

/// <summary>
/// The builder against a registry that demands a login (docker-registry with htpasswd, started by the test on a free
/// port): the push and the registry lookup that makes builds idempotent both carry the login, and a missing or wrong
/// one is refused with the registry's words and without the password.
/// </summary>
public sealed class AuthenticatedRegistryTests : IAsyncLifetime
{
    const string User = "ci";
    const string Password = "pw-7c1e0a-never-shown";

    readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rad-it-registry-");
    readonly int _port = Cloner.GitServer.FreePort();
    readonly Dictionary<string, string> _images = [];
    Process? _registry;
    RegistryInspector _inspector = null!;
    ImageBuilder _builder = null!;
    IDockerClient _docker = null!;

    string Image => $"127.0.0.1:{_port}/it-auth/app";
    AuthConfig Login(string password) => new() { Username = User, Password = password, ServerAddress = $"127.0.0.1:{_port}" };

    public async Task InitializeAsync()
    {
        // The registry takes bcrypt only; Python's crypt (glibc) writes it, as htpasswd -B would.
        var hash = (await Stack.RunAsync("python3", "-c", "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))", Password)).Trim();
        await File.WriteAllTextAsync(Path.Combine(_root.FullName, "htpasswd"), $"{User}:{hash}\n");
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
              addr: 127.0.0.1:{_port}
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
                using var answer = await http.GetAsync($"http://127.0.0.1:{_port}/v2/");
                if (answer.StatusCode == System.Net.HttpStatusCode.Unauthorized)
                    break;
            }
            catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(20))
            {
            }
            await Task.Delay(100);
        }
        _docker = DockerRegistration.Connect();
        _inspector = new RegistryInspector(_docker, new ConfigurationBuilder().Build());
        _builder = new ImageBuilder(_docker, _inspector, Microsoft.Extensions.Options.Options.Create(new BuilderOptions()), NullLogger<ImageBuilder>.Instance);
    }

    [Fact]
    public async Task Push_and_lookup_carry_the_login_and_a_missing_or_wrong_one_is_refused_without_the_password()
    {
        var tag = Guid.NewGuid().ToString("N");
        var context = Directory.CreateDirectory(Path.Combine(_root.FullName, "context"));
        await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), "FROM rad/busybox:local\nCOPY hello.txt /hello.txt\n");
        await File.WriteAllTextAsync(Path.Combine(context.FullName, "hello.txt"), tag);
        await _builder.BuildAsync("app", context.FullName, "Dockerfile", $"{Image}:{tag}", CancellationToken.None);
        _images[$"{Image}:{tag}"] = tag;

        Assert.Null(await _builder.RegistryDigestAsync(Image, tag, Login(Password), CancellationToken.None));
        var anonymous = await Assert.ThrowsAsync<BuildFailedException>(() => _builder.PushAsync(Image, tag, new AuthConfig(), CancellationToken.None));
        var wrong = await Assert.ThrowsAsync<BuildFailedException>(() => _builder.PushAsync(Image, tag, Login("not-" + Password), CancellationToken.None));
        var digest = await _builder.PushAsync(Image, tag, Login(Password), CancellationToken.None);

        Assert.StartsWith($"push of {Image}:{tag} failed: ", anonymous.Message);
        Assert.Contains("no basic auth credentials", anonymous.Message);
        Assert.StartsWith($"push of {Image}:{tag} failed: ", wrong.Message);
        Assert.DoesNotContain(Password, wrong.Message);
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        // The lookup that lets a redelivered build skip building: with the login it finds the pushed image, without it nothing.
        Assert.Equal(digest, await _builder.RegistryDigestAsync(Image, tag, Login(Password), CancellationToken.None));
        Assert.Null(await _builder.RegistryDigestAsync(Image, tag, new AuthConfig(), CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        foreach (var image in _images.Keys)
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
        _inspector.Dispose();
        _docker.Dispose();
        if (_registry is { HasExited: false })
        {
            _registry.Kill();
            await _registry.WaitForExitAsync();
        }
        _registry?.Dispose();
        _root.Delete(recursive: true);
    }
}
