using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>
/// The notification targets, a real HTTP server (Kestrel) on a free port of 127.0.0.1 that records every request. The first
/// path segment says how it answers: ok/... 200; flaky/... 500 the first time, then 200; slow/... not before 30 s.
/// </summary>
public sealed class NotificationReceiver : IAsyncLifetime
{
    WebApplication _app = null!;
    readonly ConcurrentDictionary<string, int> _seen = new();

    public ConcurrentQueue<ReceivedNotification> Received { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var path = http.Request.Path.Value!;
            Received.Enqueue(new ReceivedNotification(path, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body.ToArray(), DateTimeOffset.UtcNow));
            var times = _seen.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (path.StartsWith("/slow/", StringComparison.Ordinal))
                await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
            var fails = path.StartsWith("/fail/", StringComparison.Ordinal) || (path.StartsWith("/flaky/", StringComparison.Ordinal) && times == 1);
            return fails ? Results.StatusCode(500) : Results.Ok();
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
    }

    /// <summary>The requests to <paramref name="path"/> so far.</summary>
    public List<ReceivedNotification> To(string path) => Received.Where(r => r.Path == path).ToList();

    /// <summary>Waits (bounded) until <paramref name="path"/> has received <paramref name="count"/> requests.</summary>
    public async Task<List<ReceivedNotification>> WaitForAsync(string path, int count, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (To(path).Count < count)
        {
            Assert.True(DateTime.UtcNow < until, $"{path} received {To(path).Count} of {count} expected notifications within {limit.TotalSeconds:0} s");
            await Task.Delay(100);
        }
        return To(path);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedNotification(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
