using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rad.Docker;

/// <summary>
/// The few Docker Engine API calls RAD needs, over the engine's unix socket. API 1.41 is what Debian 12's engine
/// (20.10) speaks, and every newer engine still accepts it.
/// </summary>
public sealed class DockerClient : IDisposable
{
    public const string DefaultSocket = "/var/run/docker.sock";
    const string Api = "/v1.41";

    readonly HttpClient _http;

    public DockerClient(string socketPath = DefaultSocket)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    public Task<JsonObject> InfoAsync(CancellationToken token) => GetObjectAsync("/info", token);

    /// <summary>GET that answers null on 404, for "does it exist" lookups.</summary>
    public async Task<JsonObject?> InspectOrNullAsync(string path, CancellationToken token)
    {
        try
        {
            return await GetAsync<JsonObject>(path, null, token);
        }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<JsonObject> GetObjectAsync(string path, CancellationToken token, IDictionary<string, string>? headers = null) =>
        GetAsync<JsonObject>(path, headers, token);

    public Task<JsonArray> GetArrayAsync(string path, CancellationToken token) => GetAsync<JsonArray>(path, null, token);

    async Task<T> GetAsync<T>(string path, IDictionary<string, string>? headers, CancellationToken token) where T : JsonNode
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Api + path);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _http.SendAsync(request, token);
        await EnsureSuccessAsync(response, path, token);
        return await response.Content.ReadFromJsonAsync<T>(token) ?? throw new DockerApiException(response.StatusCode, path, "empty answer");
    }

    public async Task<JsonNode?> PostAsync(string path, JsonNode? body, CancellationToken token, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Api + path);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _http.SendAsync(request, token);
        await EnsureSuccessAsync(response, path, token);
        var text = await response.Content.ReadAsStringAsync(token);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    public async Task DeleteAsync(string path, CancellationToken token)
    {
        using var response = await _http.DeleteAsync(Api + path, token);
        await EnsureSuccessAsync(response, path, token);
    }

    /// <summary>Posts and streams the engine's JSON-lines answer (build, push, events), one object at a time.</summary>
    public async IAsyncEnumerable<JsonObject> StreamAsync(
        HttpMethod method,
        string path,
        HttpContent? content,
        IDictionary<string, string>? headers,
        [EnumeratorCancellation] CancellationToken token)
    {
        using var request = new HttpRequestMessage(method, Api + path) { Content = content };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        await EnsureSuccessAsync(response, path, token);
        await using var stream = await response.Content.ReadAsStreamAsync(token);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            if (JsonNode.Parse(line) is JsonObject item)
                yield return item;
        }
    }

    static async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken token)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(token);
        var message = body;
        try
        {
            message = JsonNode.Parse(body)?["message"]?.GetValue<string>() ?? body;
        }
        catch (JsonException)
        {
        }
        throw new DockerApiException(response.StatusCode, path, message.Trim());
    }

    public static string Query(params (string Name, string? Value)[] parameters) =>
        string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));

    public static string Filters(params (string Name, string Value)[] filters)
    {
        var json = new JsonObject();
        foreach (var group in filters.GroupBy(f => f.Name))
            json[group.Key] = new JsonArray(group.Select(f => (JsonNode)JsonValue.Create(f.Value)!).ToArray());
        return Uri.EscapeDataString(json.ToJsonString());
    }

    public void Dispose() => _http.Dispose();
}
