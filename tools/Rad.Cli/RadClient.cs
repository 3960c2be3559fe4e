using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Rad.Contracts;

namespace Rad.Cli;

/// <summary>The status service's HTTP API, with every failure turned into a message that says what to do.</summary>
public sealed class RadClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    readonly HttpClient _http;

    public RadClient(Uri api, string? token)
    {
        Api = api;
        _http = new HttpClient { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(RadCli.UserAgentProduct, typeof(RadClient).Assembly.GetName().Version?.ToString(2) ?? "1"));
        if (!string.IsNullOrEmpty(token))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri Api { get; }

    public async Task<string> DeployAsync(object request, CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/deployments") { Content = JsonContent.Create(request, options: Json) }, token);
        return await response.Content.ReadAsStringAsync(token);
    }

    public async Task<(DeploymentView View, string Raw)> GetAsync(Guid id, CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/deployments/{id}"), token);
        var raw = await response.Content.ReadAsStringAsync(token);
        return (JsonSerializer.Deserialize<DeploymentView>(raw, Json)!, raw);
    }

    /// <summary>Like GetAsync, but a deployment that does not exist yet (published on the bus a moment ago) is waited for, up to <paramref name="wait"/>.</summary>
    public async Task<DeploymentView> GetWhenKnownAsync(Guid id, TimeSpan wait, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return (await GetAsync(id, token)).View;
            }
            catch (NotFoundException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, token);
            }
        }
    }

    public async Task<string> LogAsync(Guid id, CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/deployments/{id}/log"), token);
        return await response.Content.ReadAsStringAsync(token);
    }

    public async Task<(IReadOnlyList<DeploymentView> Views, string Raw)> ListAsync(int limit, CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/deployments?limit={limit}"), token);
        var raw = await response.Content.ReadAsStringAsync(token);
        return (JsonSerializer.Deserialize<List<DeploymentView>>(raw, Json)!, raw);
    }

    public async Task<string> AddClusterAsync(object registration, CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/clusters") { Content = JsonContent.Create(registration, options: Json) }, token);
        return await response.Content.ReadAsStringAsync(token);
    }

    public async Task<string> ClustersAsync(CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/clusters"), token);
        return await response.Content.ReadAsStringAsync(token);
    }

    public async Task RemoveClusterAsync(string name, CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"api/clusters/{Uri.EscapeDataString(name)}"), token);
    }

    /// <summary>Any other call of the API, answered with its JSON text; null <paramref name="body"/> sends none.</summary>
    public async Task<string> CallAsync(HttpMethod method, string path, object? body, CancellationToken token)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) }, token);
        return await response.Content.ReadAsStringAsync(token);
    }

    /// <summary>The deployment's Server-Sent Events, from the first (or after <paramref name="after"/>) to the end event.</summary>
    public async IAsyncEnumerable<StreamEvent> EventsAsync(Guid id, long after, [EnumeratorCancellation] CancellationToken token)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"api/deployments/{id}/events");
            request.Headers.Accept.ParseAdd("text/event-stream");
            if (after > 0)
                request.Headers.Add("Last-Event-ID", after.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return request;
        }, token, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync(token);
        using var reader = new StreamReader(stream);
        var data = new List<string>();
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                    yield return JsonSerializer.Deserialize<StreamEvent>(string.Join('\n', data), Json)!;
                data.Clear();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
                data.Add(line[5..].TrimStart());
        }
    }

    async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken token,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            using var message = request();
            response = await _http.SendAsync(message, completion, token);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach RAD at {Api}: {e.Message}. Is it running (scripts/up)? Point elsewhere with --api or RAD_API.");
        }
        if (response.IsSuccessStatusCode)
            return response;
        var body = await response.Content.ReadAsStringAsync(token);
        response.Dispose();
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CliException($"RAD at {Api} refused the request: {Detail(body)} Set RAD_API_TOKEN to the API's token."),
            HttpStatusCode.NotFound => new NotFoundException(Detail(body)),
            HttpStatusCode.Conflict => new CliException(Detail(body)),
            _ => new CliException($"RAD answered {(int)response.StatusCode} {response.ReasonPhrase}: {Detail(body)}"),
        };
    }

    /// <summary>The problem details' own words: the detail, or each field's errors.</summary>
    static string Detail(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                return string.Join("; ", errors.EnumerateObject().SelectMany(f => f.Value.EnumerateArray().Select(m => $"{f.Name}: {m.GetString()}")));
            if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                return detail.GetString()!;
        }
        catch (JsonException)
        {
        }
        return body.Length > 300 ? body[..300] : body;
    }

    public void Dispose() => _http.Dispose();
}

public sealed class NotFoundException(string message) : Exception(message);
