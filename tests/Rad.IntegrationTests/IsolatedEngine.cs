using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Rad.Docker;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>
/// A Docker engine of the test's own, in a network namespace of its own, so that creating and tearing down a Swarm
/// never touches the engine the rest of the stack runs on. Started and stopped by its process id.
/// </summary>
public sealed class IsolatedEngine : IAsyncLifetime
{
    readonly string _namespace = $"rad-it-{Guid.NewGuid().ToString("N")[..8]}";
    readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rad-it-engine-");
    Process? _dockerd;

    public string Socket => Path.Combine(_root.FullName, "docker.sock");

    public IDockerClient Client() => DockerRegistration.Connect(Socket);

    public async Task InitializeAsync()
    {
        await Stack.RunAsync("ip", "netns", "add", _namespace);
        await Stack.RunAsync("ip", "netns", "exec", _namespace, "ip", "link", "set", "lo", "up");
        await StartAsync();
    }

    /// <summary>
    /// Everything this engine runs is the test's own: its services and containers go before the engine stops, so no
    /// container (and its containerd shim) outlives the test.
    /// </summary>
    async Task RemoveWorkloadsAsync()
    {
        using var client = Client();
        try
        {
            foreach (var service in await client.Swarm.ListServicesAsync(new ServiceListParameters(), CancellationToken.None))
                await client.Swarm.RemoveServiceAsync(service.ID, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                var containers = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, CancellationToken.None);
                if (containers.Count == 0)
                    return;
                foreach (var container in containers)
                {
                    try
                    {
                        await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
                    }
                    catch (DockerApiException)
                    {
                        // Already going (its service was just removed).
                    }
                }
                await Task.Delay(250);
            }
        }
        catch (Exception e) when (e is HttpRequestException or DockerApiException or IOException or TimeoutException)
        {
            // The engine is not answering: there is nothing more to ask it.
        }
    }

    /// <summary>Loads an image of the shared engine into this one (it has no registry to pull from).</summary>
    public Task LoadImageAsync(string image) =>
        Stack.RunAsync("sh", "-c", $"docker save '{image}' | docker -H 'unix://{Socket}' load -q");

    /// <summary>Kills the engine with SIGKILL, as a power cut or a killed session would, and starts it again on the same data.</summary>
    public async Task KillAndRestartAsync()
    {
        _dockerd!.Kill();
        await _dockerd.WaitForExitAsync();
        _dockerd.Dispose();
        File.Delete(Path.Combine(_root.FullName, "docker.pid"));
        // The engine's own containerd follows it down a moment later; a new engine cannot start while it holds its socket.
        var containerdPid = Path.Combine(_root.FullName, "exec", "containerd", "containerd.pid");
        var watch = Stopwatch.StartNew();
        while (File.Exists(containerdPid) && int.TryParse(File.ReadAllText(containerdPid).Trim(), out var pid) && Directory.Exists($"/proc/{pid}")
               && watch.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(100);
        await StartAsync();
    }

    async Task StartAsync()
    {
        // nsenter enters only the network namespace; 'ip netns exec' would also remount /sys and hide the cgroups.
        var start = new ProcessStartInfo("nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                $"--net=/var/run/netns/{_namespace}", "dockerd", "-H", $"unix://{Socket}",
                "--data-root", Path.Combine(_root.FullName, "data"), "--exec-root", Path.Combine(_root.FullName, "exec"),
                "--pidfile", Path.Combine(_root.FullName, "docker.pid"), "--bridge=none", "--iptables=false",
            },
        };
        _dockerd = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _dockerd.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();
        using var client = Client();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.System.PingAsync(CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is not DockerApiException && watch.Elapsed < TimeSpan.FromSeconds(30) && !_dockerd.HasExited)
            {
                await Task.Delay(200);
            }
            catch (Exception e) when (e is not DockerApiException)
            {
                throw new InvalidOperationException($"the test's Docker engine did not start: {string.Join('\n', output.TakeLast(5))}", e);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_dockerd is { HasExited: false })
        {
            await RemoveWorkloadsAsync();
            // nsenter execs dockerd, so this pid is the engine itself.
            Process.Start("kill", ["-TERM", _dockerd.Id.ToString()])!.WaitForExit();
            if (!_dockerd.WaitForExit(20_000))
                _dockerd.Kill();
        }
        _dockerd?.Dispose();
        await Stack.RunAsync("ip", "netns", "delete", _namespace);
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // The engine's leftover mounts, if any, go with the temp folder's next cleaning.
        }
    }
}
