using System.Text;

namespace Rad.Edge;

/// <summary>Renders HAProxy's configuration: a TCP frontend per published port, round-robin over health-checked task addresses.</summary>
public static class HaproxyConfig
{
    public static string Render(IEnumerable<EdgeRoute> routes, EdgeOptions options)
    {
        var config = new StringBuilder();
        config.Append($"""
            # Written by Rad.Edge; changes made here are overwritten.
            global
                stats socket {options.AdminSocket} mode 600 level admin expose-fd listeners
                stats timeout 5s

            defaults
                mode tcp
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                # A connection refused by a task that just died is retried on another one.
                retries 3
                option redispatch
                default-server inter 1s fall 2 rise 1

            """);
        foreach (var route in routes.OrderBy(r => r.Port))
        {
            config.Append($"""

                frontend port_{route.Port}
                    bind {options.BindAddress}:{route.Port}
                    default_backend app_{route.Application}

                backend app_{route.Application}
                    balance roundrobin

                """);
            foreach (var backend in route.Backends.Order(StringComparer.Ordinal))
                config.Append($"    server {ServerName(backend)} {backend} check\n");
        }
        return config.ToString();
    }

    public static string ServerName(string backend) => "t_" + backend.Replace('.', '_').Replace(':', '_');
}
