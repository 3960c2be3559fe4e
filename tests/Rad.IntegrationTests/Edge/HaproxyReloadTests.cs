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
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        // A long interval: once checked, the server is not checked again during the test unless a reload starts afresh.
        var health = HealthCheck.TcpDefault with { Interval = TimeSpan.FromSeconds(30) };
        var first = new EdgeRoute(FreePort(), "first", "tcp", [new EdgeSlot("a", 100, health, [server])]);
        await File.WriteAllTextAsync(_options.ConfigPath, HaproxyConfig.Render([first], _options));
        _process = Process.Start(new ProcessStartInfo("haproxy", ["-W", "-f", _options.ConfigPath, "-S", $"{_options.MasterSocket},mode,600"])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        Assert.Equal("L4OK", await CheckOfAsync(first, server, until: c => c.StartsWith("L4OK", StringComparison.Ordinal)));

        // The application stops answering; a reload for another application must not check it afresh (and so see the
        // refusal at once): it keeps its last result until its next check, as it would have without the reload.
        listener.Stop();
        var second = new EdgeRoute(FreePort(), "second", "tcp", [new EdgeSlot("a", 100, health, [server])]);
        await File.WriteAllTextAsync(_options.ConfigPath, HaproxyConfig.Render([first, second], _options));
        await _haproxy.ReloadAsync(CancellationToken.None);

        Assert.StartsWith("L4OK", await CheckOfAsync(first, server, until: _ => true));
        Assert.Contains($"check_first_{first.Port}_a", await File.ReadAllTextAsync(_options.ServerStatePath));
        // The new route's server was never checked before: it is checked at once after the reload, and refused.
        Assert.StartsWith("L4CON", await CheckOfAsync(second, server, until: c => c.StartsWith("L4CON", StringComparison.Ordinal)));
    }

    async Task<string> CheckOfAsync(EdgeRoute route, string server, Func<string, bool> until)
    {
        var check = "";
        for (var i = 0; i < 100; i++)
        {
            try
            {
                var stats = await _haproxy.StatsAsync(CancellationToken.None);
                check = HaproxyStats.Text(stats.Row(HaproxyConfig.CheckBackend(route, "a"), HaproxyConfig.ServerName("a", server)), "check_status");
                if (until(check))
                    return check;
            }
            catch (SocketException)
            {
                // HAProxy is still starting.
            }
            await Task.Delay(50);
        }
        return check;
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
