using System.Net.Sockets;
using Rad.Contracts;

namespace Rad.Clusters;

/// <summary>One attempt of an application's health check against one replica: an HTTP GET of its path, or a TCP connect.</summary>
public static class HealthProbe
{
    static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), UseProxy = false })
        { Timeout = Timeout.InfiniteTimeSpan };

    public static async Task<bool> PassesAsync(string host, int port, HealthCheck health, CancellationToken token) =>
        (await CheckAsync(host, port, health, token)).Passed;

    /// <summary>Whether the replica passed, and what was seen (a status, "connection refused", "no answer within 2 s").</summary>
    public static async Task<(bool Passed, string Seen)> CheckAsync(string host, int port, HealthCheck health, CancellationToken token)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        attempt.CancelAfter(health.Timeout);
        try
        {
            if (health.Path is null)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port, attempt.Token);
                return (true, "connected");
            }
            using var response = await Http.GetAsync($"http://{host}:{port}{health.Path}", HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var status = (int)response.StatusCode;
            return (HealthStatus.Accepts(health.Expect, status), $"status {status}");
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return (false, $"no answer within {Duration.Format(health.Timeout)}");
        }
        catch (Exception e) when (e is SocketException or HttpRequestException)
        {
            return (false, e.InnerException is SocketException inner ? inner.Message : e.Message);
        }
    }
}
