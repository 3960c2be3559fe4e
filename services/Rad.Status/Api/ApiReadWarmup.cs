using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Rad.Hosting;

namespace Rad.Status.Api;

/// <summary>
/// Once the service listens, and before it reports healthy: the API's read paths under a short load from the service
/// itself (GET of the latest deployment, or of an id that does not exist, and the list of 20), then a wait until the
/// runtime has finished compiling the code that got hot. Cold, the first 5 s of wrk against one deployment had a p99
/// of 11.5-18.5 ms while some 2,200 methods were compiled again by the optimising tier, against about 1 ms afterwards.
/// Bounded; reads only.
/// </summary>
public sealed class ApiReadWarmup(IServer server, IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<ApiReadWarmup> logger)
    : ListeningWarmup(server, lifetime, TimeSpan.FromSeconds(10))
{
    /// <summary>Per round: enough calls for the hot methods to pass the call-count threshold scripts/up sets (1,000).</summary>
    const int Requests = 1200;
    /// <summary>
    /// After the first rounds (the first compiles what precompiled code lacks, often only some 100 methods; the optimising
    /// tier follows in the next), a round that leaves at most this many methods to compile ends the warm-up.
    /// </summary>
    const int QuietRound = 100;
    const int MinRounds = 3;
    const int MaxRounds = 4;
    const int Workers = 4;
    /// <summary>The compiled-method count must hold still this long for the hot paths to count as compiled.</summary>
    static readonly TimeSpan Settled = TimeSpan.FromMilliseconds(250);

    protected override async Task WarmAsync(Uri? address, CancellationToken limit, CancellationToken stoppingToken)
    {
        if (address is null)
            return;
        var watch = Stopwatch.StartNew();
        try
        {
            using var http = new HttpClient { BaseAddress = address };
            if (configuration[ApiAccess.TokenVariable] is { Length: > 0 } token)
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var latest = await LatestIdAsync(http, limit) ?? Guid.NewGuid();
            string[] paths = [$"api/deployments/{latest}", $"api/deployments/{latest}", $"api/deployments/{latest}", "api/deployments"];
            // The optimising tier counts calls only once no new method has been compiled for a while (100 ms): the first
            // round compiles the paths, later ones make them hot, until a round leaves little to compile.
            var compiled = new List<long>();
            do
            {
                var before = JitInfo.GetCompiledMethodCount();
                await LoadAsync(http, paths, limit);
                await SettleAsync(limit);
                compiled.Add(JitInfo.GetCompiledMethodCount() - before);
            }
            while (compiled.Count < MinRounds || compiled[^1] > QuietRound && compiled.Count < MaxRounds);
            // What the load allocated is garbage now: give the memory back rather than hold it until the next collections.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            logger.LogInformation("API read paths warmed up in {ElapsedMs:0} ms: {Rounds} rounds of {Requests} requests, methods compiled per round {Compiled}",
                watch.Elapsed.TotalMilliseconds, compiled.Count, Requests, string.Join(", ", compiled));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("API read warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
    }

    static Task LoadAsync(HttpClient http, string[] paths, CancellationToken token) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var i = worker; i < Requests; i += Workers)
            {
                using var response = await http.GetAsync(paths[i % paths.Length], HttpCompletionOption.ResponseContentRead, token);
            }
        }, token)));

    /// <summary>The id of the latest deployment the list holds, or null when there is none (or the list cannot be read).</summary>
    static async Task<Guid?> LatestIdAsync(HttpClient http, CancellationToken token)
    {
        using var response = await http.GetAsync("api/deployments?limit=1", token);
        if (!response.IsSuccessStatusCode)
            return null;
        using var list = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(token));
        return list.RootElement.ValueKind == JsonValueKind.Array && list.RootElement.GetArrayLength() > 0
               && list.RootElement[0].TryGetProperty("id", out var id) && id.TryGetGuid(out var guid)
            ? guid
            : null;
    }

    /// <summary>Until no method has been compiled for <see cref="Settled"/> (the optimising tier compiles in the background).</summary>
    static async Task SettleAsync(CancellationToken token)
    {
        var count = JitInfo.GetCompiledMethodCount();
        while (true)
        {
            await Task.Delay(Settled, token);
            var now = JitInfo.GetCompiledMethodCount();
            if (now == count)
                return;
            count = now;
        }
    }
}
