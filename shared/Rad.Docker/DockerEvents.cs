using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Rad.Docker;

/// <summary>The engine's event stream, followed for as long as a service runs.</summary>
public static class DockerEvents
{
    /// <summary>Reports every event that <paramref name="filters"/> let through until <paramref name="token"/> ends; a broken stream is opened again a second later.</summary>
    public static async Task FollowAsync(IDockerClient docker, Dictionary<string, IDictionary<string, bool>> filters, IProgress<Message> events, ILogger logger,
        CancellationToken token)
    {
        var parameters = new ContainerEventsParameters { Filters = filters };
        while (!token.IsCancellationRequested)
        {
            try
            {
                await docker.System.MonitorEventsAsync(parameters, events, token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Docker event stream broke ({Reason}); reconnecting", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), token);
            }
        }
    }
}
