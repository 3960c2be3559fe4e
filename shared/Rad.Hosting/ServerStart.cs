using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;

namespace Rad.Hosting;

/// <summary>For a warm-up that calls its own service over HTTP: when the server listens, and where.</summary>
public static class ServerStart
{
    /// <summary>Returns true once the application has started (the server listens), false when stopped first.</summary>
    public static async Task<bool> WaitAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>The server's first address, with a listen-anywhere host replaced by 127.0.0.1; null when it has none.</summary>
    public static Uri? LoopbackAddress(IServer server) =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } address
            ? new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal))
            : null;
}
