using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// A real Prometheus (Debian's package, its binary run directly, never the system service) on a free 127.0.0.1 port,
/// with its configuration and storage in a temporary folder: it scrapes the given services every second and loads the
/// given rule files. Stopped by its process id, its folder removed.
/// </summary>
public sealed class OwnedPrometheus : IAsyncDisposable
{
    readonly DirectoryInfo _root;
    readonly RecordedProcess _process;

    OwnedPrometheus(DirectoryInfo root, RecordedProcess process, int port)
    {
        _root = root;
        _process = process;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Address { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };
    public string Log => File.Exists(_process.Log) ? _process.Tail(40) : "";

    public static async Task<OwnedPrometheus> StartAsync(IReadOnlyDictionary<string, int> services, IEnumerable<string> ruleFiles)
    {
        if (!File.Exists("/usr/bin/prometheus"))
            throw new InvalidOperationException("/usr/bin/prometheus is missing: apt-get install -y prometheus (scripts/install-deps does).");
        var root = Directory.CreateTempSubdirectory("rad-prometheus-");
        var port = OwnedContainers.FreePort();
        var targets = string.Join("\n", services.Select(s => $"""
                  - targets: ["127.0.0.1:{s.Value}"]
                    labels: {"{"} service: {s.Key} {"}"}
            """));
        var config = Path.Combine(root.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:
            {string.Join("\n", ruleFiles.Select(f => $"  - {f}"))}
            scrape_configs:
              - job_name: rad
                static_configs:
            {targets}
            """);
        var process = RecordedProcess.Start("prometheus", Path.Combine(root.FullName, "prometheus.log"), root.FullName, new Dictionary<string, string>(),
            "/usr/bin/prometheus", $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(root.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port}");
        var prometheus = new OwnedPrometheus(root, process, port);
        try
        {
            await prometheus.WaitReadyAsync();
            return prometheus;
        }
        catch
        {
            await prometheus.DisposeAsync();
            throw;
        }
    }

    async Task WaitReadyAsync()
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"prometheus exited at its start:\n{_process.Tail()}");
            try
            {
                if ((await Http.GetAsync(new Uri(Address, "/-/ready"))).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
                throw new TimeoutException($"prometheus was not ready within 30 s:\n{_process.Tail()}");
            await Task.Delay(200);
        }
    }

    /// <summary>An instant query over the HTTP API: each series' labels and value. A query Prometheus refuses throws with its error.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string query)
    {
        using var response = await Http.GetAsync(new Uri(Address, $"/api/v1/query?query={Uri.EscapeDataString(query)}"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (body.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"Prometheus refused {query}: {body}");
        var data = body.GetProperty("data");
        if (data.GetProperty("resultType").GetString() == "scalar")
            return [(new Dictionary<string, string>(), ParseValue(data.GetProperty("result")))];
        return data.GetProperty("result").EnumerateArray().Select(series => (
            (IReadOnlyDictionary<string, string>)series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            ParseValue(series.GetProperty("value")))).ToList();
    }

    /// <summary>The single value of a query that yields one series (or none: null).</summary>
    public async Task<double?> ValueAsync(string query) => (await QueryAsync(query)) switch
    {
        [] => null,
        [var one] => one.Value,
        var many => throw new InvalidOperationException($"{query} gave {many.Count} series"),
    };

    /// <summary>GET on the HTTP API (targets, rules): the "data" member of the answer.</summary>
    public async Task<JsonElement> ApiAsync(string path)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>(new Uri(Address, path));
        return body.GetProperty("data");
    }

    static double ParseValue(JsonElement pair) => double.Parse(pair[1].GetString()!, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Http.Dispose();
        _root.Delete(recursive: true);
    }
}
