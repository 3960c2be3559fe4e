using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Rad.Contracts;

namespace Rad.Edge;

/// <summary>
/// Renders HAProxy's configuration: a frontend per published port, balancing by weight over the tasks of every slot of
/// its application. Each slot's tasks are health-checked in a check backend of their own, with that slot's own check
/// (two versions may check different paths), and the serving servers track them.
/// </summary>
public static partial class HaproxyConfig
{
    public static string Render(IEnumerable<EdgeRoute> routes, EdgeOptions options)
    {
        var config = new StringBuilder();
        config.Append($"""
            # Written by Rad.Edge; changes made here are overwritten.
            global
                stats socket {options.AdminSocket} mode 600 level admin expose-fd listeners
                stats timeout 5s
                # Rad.Edge saves every server's state here just before a reload, so a reload for one application does
                # not send every other application's servers back to "not checked yet" (a rollout waiting for its
                # servers to be checked UP would wait a whole check interval again).
                server-state-file {options.ServerStatePath}
                # HAProxy's own HTTP client (for Lua and OCSP updates, neither used here) verifies against the system's CA
                # store by default, so every reload read every CA file there before the new worker started: 25-35 ms of a
                # 40-55 ms reload on an idle machine (measured), with the edge's gate held and rollouts waiting meanwhile.
                httpclient.ssl.verify none

            defaults
                mode tcp
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                # A connection refused by a task that just died is retried on another one.
                retries 3
                option redispatch
                default-server inter 1s fall 2 rise 1
                load-server-state-from-file global

            """);
        foreach (var route in routes.OrderBy(r => r.Port))
        {
            var mode = route.Mode == "http" ? "    mode http\n" : "";
            config.Append($"\nfrontend port_{route.Port}\n{mode}    bind {options.BindAddress}:{route.Port}\n    default_backend {Backend(route)}\n");
            config.Append($"\nbackend {Backend(route)}\n{mode}    balance roundrobin\n");
            foreach (var slot in route.Slots.OrderBy(s => s.Slot, StringComparer.Ordinal))
                foreach (var backend in slot.Backends.Order(StringComparer.Ordinal))
                    config.Append($"    server {ServerName(slot.Slot, backend)} {backend} weight {slot.Weight} track {CheckBackend(route, slot.Slot)}/{ServerName(slot.Slot, backend)}\n");
        }
        // After a start (every reload is one) HAProxy runs each server's first check in the order of the configuration,
        // spread over up to a second; servers it knew keep their results (the saved state). So the newest tasks, which
        // a rollout is waiting on, come first. The order changes only when tasks do, which needs a reload anyway.
        var checkedSlots = routes
            .SelectMany(route => route.Slots.Where(s => s.Backends.Count > 0).Select(slot => (Route: route, Slot: slot)))
            .OrderByDescending(x => x.Slot.NewestTask).ThenBy(x => x.Route.Port).ThenBy(x => x.Slot.Slot, StringComparer.Ordinal)
            .ToList();
        foreach (var (route, slot) in checkedSlots)
        {
            var mode = route.Mode == "http" ? "    mode http\n" : "";
            config.Append($"\nbackend {CheckBackend(route, slot.Slot)}\n{mode}");
            AppendHealthCheck(config, slot.Health);
            foreach (var backend in slot.Backends.Order(StringComparer.Ordinal))
                config.Append($"    server {ServerName(slot.Slot, backend)} {backend} check inter {Milliseconds(slot.Health.Interval)} fastinter {Milliseconds(FastInterval(slot.Health))} rise {slot.Health.Successes} fall 2\n");
        }
        if (checkedSlots.Count > 0)
            AppendFirstCheckSpread(config);
        return config.ToString();
    }

    /// <summary>
    /// HAProxy 2.6 delays each server's first check after a start by the shortest check interval of its steady servers
    /// (1 s by default) times the server's position among all checked servers, divided by their number. On a Swarm
    /// with few applications a new task third of six waited a third of a second, and a reload for another application
    /// before its first check started that wait again (validate took up to 1 s on an empty Swarm). These servers only
    /// make the number large: always in maintenance (never checked, never connected to), last in the file, so the new
    /// tasks, which come first, are checked within some tens of milliseconds of a reload (measured with HAProxy 2.6:
    /// a new server sixth of six 879 ms after a reload, with these 77-100 ms). Their interval of 1 s also caps that
    /// shortest interval (only intervals of 1 s or more count) when every application checks less often.
    /// </summary>
    static void AppendFirstCheckSpread(StringBuilder config)
    {
        config.Append($"\nbackend {FirstCheckSpreadBackend}\n");
        for (var i = 0; i < FirstCheckSpreadServers; i++)
            config.Append($"    server spread{i} 127.0.0.1:1 check inter 1s disabled\n");
    }

    public const string FirstCheckSpreadBackend = "rad_first_check_spread";

    public const int FirstCheckSpreadServers = 200;

    /// <summary>The backend that serves the port.</summary>
    public static string Backend(EdgeRoute route) => $"app_{route.Application}_{route.Port}";

    /// <summary>The backend that only health-checks one slot's tasks; the serving servers track its servers.</summary>
    public static string CheckBackend(EdgeRoute route, string slot) => $"check_{route.Application}_{route.Port}_{slot}";

    public static string ServerName(string slot, string backend) => $"{slot}_" + backend.Replace('.', '_').Replace(':', '_');

    /// <summary>Each serving server's weight by "backend/server", as written in the configuration.</summary>
    public static Dictionary<string, int> Weights(string config)
    {
        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        string? backend = null;
        foreach (var line in config.Split('\n'))
        {
            if (line.StartsWith("backend ", StringComparison.Ordinal))
                backend = line["backend ".Length..].Trim();
            else if (backend is not null && ServerWeight().Match(line) is { Success: true } match)
                weights[$"{backend}/{match.Groups[1].Value}"] = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        }
        return weights;
    }

    /// <summary>The configuration with every weight blanked: two configurations equal this way differ in weights only.</summary>
    public static string WithoutWeights(string config) => WeightValue().Replace(config, " weight *");

    static void AppendHealthCheck(StringBuilder config, HealthCheck health)
    {
        if (health.Path is not null)
        {
            // Single quotes keep HAProxy from expanding anything in the path; a quote itself is sent percent-encoded.
            config.Append($"    option httpchk GET '{health.Path.Replace("'", "%27", StringComparison.Ordinal)}'\n");
            var (min, max) = HealthStatus.Range(health.Expect) ?? (200, 299);
            config.Append(min == max ? $"    http-check expect status {min}\n" : $"    http-check expect status {min}-{max}\n");
        }
        config.Append($"    timeout check {Milliseconds(health.Timeout)}\n");
    }

    /// <summary>
    /// How soon a server whose state is changing is checked again: a new one after a reload (so a rollout waiting for it
    /// is not held for up to a whole interval), or one whose check just failed (taken out sooner). Steady servers are
    /// checked every interval. RAD's own probes keep the successes-in-a-row-every-interval rule before any switch.
    /// </summary>
    static TimeSpan FastInterval(HealthCheck health) => health.Interval < FastestCheck ? health.Interval : FastestCheck;

    static readonly TimeSpan FastestCheck = TimeSpan.FromMilliseconds(100);

    static string Milliseconds(TimeSpan value) => $"{Math.Max(1, (long)value.TotalMilliseconds)}ms";

    [GeneratedRegex(@"^    server (\S+) \S+ weight ([0-9]+) ")]
    private static partial Regex ServerWeight();

    [GeneratedRegex(@" weight [0-9]+")]
    private static partial Regex WeightValue();
}
