using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rad.Contracts;
using Rad.Edge;
using Xunit;

namespace Rad.IntegrationTests.Edge;

/// <summary>A real HAProxy of the test's own, reloaded the way Rad.Edge reloads it.</summary>
public sealed class HaproxyReloadTests : IAsyncLifetime
{
    readonly string _folder = Directory.CreateTempSubdirectory("rad-edge-reload-").FullName;
    readonly EdgeOptions _options;
    readonly HaproxyControl _haproxy;
    Process? _process;

    public HaproxyReloadTests()
    {
        _options = new EdgeOptions
        {
            ConfigPath = Path.Combine(_folder, "haproxy.cfg"),
            MasterSocket = Path.Combine(_folder, "master.sock"),
            AdminSocket = Path.Combine(_folder, "admin.sock"),
            BindAddress = "127.0.0.1",
        };
        _haproxy = new HaproxyControl(_options);
    }

    [Fact]
    public async Task A_reload_for_another_application_keeps_what_the_checks_of_running_servers_found()
    {
        // Ten replicas: after a start HAProxy spreads the servers' first checks over an interval, so without their saved
        // state most of them would read "not checked yet" for up to a second after a reload.
        var listeners = Enumerable.Range(0, 10).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            var servers = listeners.Select(l => $"127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}").ToList();
            var first = new EdgeRoute(FreePort(), "first", "tcp", [new EdgeSlot("a", 100, HealthCheck.TcpDefault, servers)]);
            await StartHaproxyAsync(HaproxyConfig.Render([first], _options));
            Assert.All(await ChecksAsync(first, servers, until: c => c.All(x => x.StartsWith("L4OK", StringComparison.Ordinal))),
                c => Assert.StartsWith("L4OK", c));

            var second = new EdgeRoute(FreePort(), "second", "tcp", [new EdgeSlot("a", 100, HealthCheck.TcpDefault, [servers[0]])]);
            await File.WriteAllTextAsync(_options.ConfigPath, HaproxyConfig.Render([first, second], _options));
            await _haproxy.ReloadAsync(CancellationToken.None);

            // The first look after the reload: every server still shows what its checks found.
            Assert.All(await ChecksAsync(first, servers, until: _ => true), c => Assert.StartsWith("L4OK", c));
            Assert.Contains($"check_first_{first.Port}_a", await File.ReadAllTextAsync(_options.ServerStatePath));
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    [Fact]
    public async Task New_tasks_are_checked_soon_after_a_reload_however_few_servers_the_edge_has()
    {
        // One steady server (its state saved and loaded, so HAProxy spreads first checks over its 1 s interval) and
        // four new ones: without the spread backend the fourth, fourth of five, waited 600 ms for its first check.
        var listeners = Enumerable.Range(0, 5).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            var servers = listeners.Select(l => $"127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}").ToList();
            var steady = new EdgeRoute(FreePort(), "steady", "tcp", [new EdgeSlot("a", 100, HealthCheck.TcpDefault, [servers[0]], DateTime.UtcNow.AddMinutes(-5))]);
            var first = HaproxyConfig.Render([steady], _options);
            await StartHaproxyAsync(first);
            Assert.StartsWith("L4OK", (await ChecksAsync(steady, [servers[0]], until: c => c[0].StartsWith("L4OK", StringComparison.Ordinal)))[0]);

            var fresh = new EdgeRoute(FreePort(), "fresh", "tcp", [new EdgeSlot("a", 0, HealthCheck.TcpDefault, servers[1..], DateTime.UtcNow)]);
            await _haproxy.ApplyAsync(HaproxyConfig.Render([steady, fresh], _options), first, CancellationToken.None);
            var reloaded = Stopwatch.StartNew();
            var checks = await ChecksAsync(fresh, servers[1..], until: c => c.All(x => x.StartsWith("L4OK", StringComparison.Ordinal)), every: 10);

            Assert.All(checks, c => Assert.StartsWith("L4OK", c));
            Assert.True(reloaded.ElapsedMilliseconds < 400, $"the new servers' first checks came {reloaded.ElapsedMilliseconds} ms after the reload");
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    [Fact]
    public async Task A_configuration_HAProxy_refuses_leaves_the_running_one_in_force_and_says_why()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var server = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
            var route = new EdgeRoute(FreePort(), "kept", "tcp", [new EdgeSlot("a", 100, HealthCheck.TcpDefault, [server])]);
            var good = HaproxyConfig.Render([route], _options);
            await StartHaproxyAsync(good);
            await ChecksAsync(route, [server], until: c => c.All(x => x.StartsWith("L4OK", StringComparison.Ordinal)));
            var worker = (await _haproxy.StatsAsync(CancellationToken.None)).Worker;

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                _haproxy.ApplyAsync(good + "\nbackend broken\n    server x 127.0.0.1:1 no-such-keyword\n", good, CancellationToken.None));

            Assert.Contains("no-such-keyword", refused.Message);
            Assert.Equal(good, await File.ReadAllTextAsync(_options.ConfigPath));
            Assert.Contains("no-such-keyword", await File.ReadAllTextAsync(_options.ConfigPath + ".refused"));
            Assert.Equal(worker, (await _haproxy.StatsAsync(CancellationToken.None)).Worker);
            using (var client = new TcpClient())
                await client.ConnectAsync(IPAddress.Loopback, route.Port);

            // The master takes the next good configuration as before.
            var next = HaproxyConfig.Render([route, route with { Port = FreePort(), Application = "next" }], _options);
            await _haproxy.ApplyAsync(next, good, CancellationToken.None);
            Assert.NotEqual(worker, (await _haproxy.StatsAsync(CancellationToken.None)).Worker);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Starts HAProxy in master-worker mode with <paramref name="config"/>, as scripts/up does.</summary>
    async Task StartHaproxyAsync(string config)
    {
        await File.WriteAllTextAsync(_options.ConfigPath, config);
        _process = Process.Start(new ProcessStartInfo("haproxy", ["-W", "-f", _options.ConfigPath, "-S", $"{_options.MasterSocket},mode,600"])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
    }

    async Task<List<string>> ChecksAsync(EdgeRoute route, IReadOnlyList<string> servers, Func<List<string>, bool> until, int every = 50)
    {
        var checks = new List<string>();
        for (var i = 0; i < 5000 / every; i++)
        {
            try
            {
                var stats = await _haproxy.StatsAsync(CancellationToken.None);
                checks = servers.Select(s => HaproxyStats.LastCheck(stats.Row(HaproxyConfig.CheckBackend(route, "a"), HaproxyConfig.ServerName("a", s)))).ToList();
                if (until(checks))
                    return checks;
            }
            catch (SocketException)
            {
                // HAProxy is still starting.
            }
            await Task.Delay(every);
        }
        return checks;
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }
}
