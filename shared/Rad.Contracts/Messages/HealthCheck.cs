namespace Rad.Contracts;

/// <summary>
/// How RAD tells that one replica works: an HTTP GET of <paramref name="Path"/> on the container port answering a
/// status in <paramref name="Expect"/> ("2xx", "200", "2xx-3xx"), or a TCP connect when <paramref name="Path"/> is
/// null; every <paramref name="Interval"/>, each attempt given <paramref name="Timeout"/>; <paramref name="Successes"/>
/// passes in a row make a replica healthy. The edge, the deployer and Kubernetes probes all use it.
/// </summary>
public record HealthCheck(string? Path, string Expect, TimeSpan Interval, TimeSpan Timeout, int Successes)
{
    /// <summary>What an application without "health" gets: a TCP connect every second, one success.</summary>
    public static readonly HealthCheck TcpDefault = new(null, "2xx", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 1);
}
