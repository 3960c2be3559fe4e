using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rad.IntegrationTests.Releases;

/// <summary>
/// Requests to an application's port on 127.0.0.1 at a steady pace (each on a new connection, as curl in a loop would),
/// recording every answer until stopped or until its own limit; nothing else is ever asked.
/// </summary>
public sealed class TrafficLoad : IAsyncDisposable
{
    public sealed record Outcome(TimeSpan At, int? Status, string? Body, string? Error)
    {
        public bool Failed => Error is not null || Status != 200;
    }

    readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
    readonly ConcurrentQueue<Outcome> _outcomes = new();
    readonly CancellationTokenSource _stop;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Task _loop;

    TrafficLoad(string url, int perSecond, TimeSpan limit)
    {
        _stop = new CancellationTokenSource(limit);
        _loop = RunAsync(url, TimeSpan.FromSeconds(1.0 / perSecond));
    }

    /// <summary>Starts sending; stops by itself after <paramref name="limit"/> (3 minutes unless given).</summary>
    public static TrafficLoad Start(int port, string path = "/", int perSecond = 25, TimeSpan? limit = null) =>
        new($"http://127.0.0.1:{port}{path}", perSecond, limit ?? TimeSpan.FromMinutes(3));

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<Outcome> Outcomes => _outcomes.OrderBy(o => o.At).ToList();

    async Task RunAsync(string url, TimeSpan pace)
    {
        var pending = new List<Task>();
        using var timer = new PeriodicTimer(pace);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                pending.RemoveAll(t => t.IsCompleted);
                pending.Add(SendAsync(url));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(pending);
    }

    async Task SendAsync(string url)
    {
        var at = _clock.Elapsed;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            using var response = await _http.SendAsync(request);
            _outcomes.Enqueue(new Outcome(at, (int)response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim(), null));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            _outcomes.Enqueue(new Outcome(at, null, null, e.InnerException?.Message ?? e.Message));
        }
    }

    public async Task<IReadOnlyList<Outcome>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Outcomes;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    /// <summary>"N sent, M failed (first: ...)", for the test's output.</summary>
    public static string Summary(IReadOnlyList<Outcome> outcomes)
    {
        var failed = outcomes.Where(o => o.Failed).ToList();
        return $"{outcomes.Count} sent, {failed.Count} failed" + (failed.Count > 0 ? $" (first: {failed[0].Status?.ToString() ?? failed[0].Error} at {failed[0].At.TotalSeconds:0.0} s)" : "");
    }
}
