using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;

namespace Rad.Clusters.Swarm;

/// <summary>The deployer's view of Rad.Edge: what HAProxy sees for an application's port, asked again until it shows what a step waits for.</summary>
public sealed class SwarmEdge(IRequestClient<GetEdgeStats> client, IOptions<DeployerOptions> options, ILogger<SwarmEdge> logger)
{
    public async Task<EdgeStats> StatsAsync(DeployApplication command, CancellationToken token) =>
        (await client.GetResponse<EdgeStats>(new GetEdgeStats(command.DeploymentId, command.Application.Name, command.Application.Port), token,
            RequestTimeout.After(s: 30))).Message;

    /// <summary>One answer, asked again while the edge cannot give one (within the edge timeout).</summary>
    public async Task<EdgeStats> ReadAsync(DeployApplication command, CancellationToken token) =>
        (await WaitAsync(command, _ => true, options.Value.EdgeTimeout, token)).Last;

    /// <summary>Asks until <paramref name="done"/> holds or <paramref name="limit"/> passes; returns whether it held and what was seen last.</summary>
    public async Task<(bool Done, EdgeStats Last)> WaitAsync(DeployApplication command, Func<EdgeStats, bool> done, TimeSpan limit, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        EdgeStats? last = null;
        while (true)
        {
            try
            {
                last = await StatsAsync(command, token);
                if (done(last))
                    return (true, last);
            }
            catch (RequestFaultException e) when (watch.Elapsed < limit)
            {
                // The edge could not answer this time (e.g. HAProxy was reloading); it is asked again.
                logger.LogWarning("The edge could not answer for port {Port} ({Reason}); asking again", command.Application.Port, e.Message);
            }
            if (watch.Elapsed >= limit)
                return (false, last ?? await StatsAsync(command, token));
            await timer.WaitForNextTickAsync(token);
        }
    }

    /// <summary>UP, and HAProxy's own last check of it passed (not only the optimistic state a server starts in after a reload).</summary>
    public static bool CheckedUp(EdgeServerStats server) =>
        server.Status == "UP" && (server.Check.StartsWith("L4OK", StringComparison.Ordinal) || server.Check.StartsWith("L6OK", StringComparison.Ordinal)
                                  || server.Check.StartsWith("L7OK", StringComparison.Ordinal));

    public static string Describe(EdgeServerStats server) => $"{server.Address} {server.Status} ({(server.Check.Length > 0 ? server.Check : "not checked yet")})";
}
