using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, items 1 and 7: what the status API refuses before anything is recorded, each in under a second: hostile
/// sizes (a 1 MB repository took 79.7 s to accept and every later GET of it 36-65 s; a 10 MB one never became a
/// deployment and kept Rad.Status busy), bodies that are not JSON, unknown fields, ids that are not ids.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class HostileRequestTests(Stack stack)
{
    static readonly TimeSpan RefusalLimit = TimeSpan.FromSeconds(1);

    Uri Deployments => new(stack.Api, "/api/deployments");

    [Theory]
    [InlineData(10_000)]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    [InlineData(10_000_000)]
    public async Task A_long_repository_is_refused_within_a_second_and_the_api_stays_quick(int length)
    {
        var body = JsonSerializer.Serialize(new { repository = "https://user:token@example.com/" + new string('a', length) });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        using var response = await stack.Http.PostAsync(Deployments, new StringContent(body, Encoding.UTF8, "application/json"));
        watch.Stop();

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"answered {(int)response.StatusCode}");
        Assert.True(watch.Elapsed < RefusalLimit, $"the refusal took {watch.Elapsed.TotalMilliseconds:0} ms");
        watch.Restart();
        using var list = await stack.Http.GetAsync(new Uri(stack.Api, "/api/deployments?limit=20"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.True(watch.Elapsed < RefusalLimit, $"the list took {watch.Elapsed.TotalMilliseconds:0} ms after the refusal");
    }

    [Fact]
    public async Task A_repository_url_over_2_KiB_is_refused_naming_the_limit()
    {
        using var response = await stack.Http.PostAsJsonAsync(Deployments, new { repository = "https://example.com/" + new string('a', 3000) + ".git" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("repository is 3024 characters long; the limit is 2048", body);
        Assert.DoesNotContain(new string('a', 3000), body);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_with_413_whether_announced_or_streamed()
    {
        var big = JsonSerializer.Serialize(new { repository = "git://127.0.0.1:9418/sample.git", padding = new string('x', 200_000) });

        using var announced = await stack.Http.PostAsync(Deployments, new StringContent(big, Encoding.UTF8, "application/json"));
        using var streamed = await stack.Http.PostAsync(Deployments, new ChunkedContent(big));

        foreach (var response in new[] { announced, streamed })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("The limit for /api/deployments is 64 KiB", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_body_that_is_not_declared_json_is_refused_with_415()
    {
        using var response = await stack.Http.PostAsync(Deployments,
            new StringContent("""{"repository": "git://127.0.0.1:9418/sample.git"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Content-Type is 'text/plain; charset=utf-8'; send the body as application/json", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_field_is_refused_naming_it_with_the_field_it_looks_like()
    {
        using var response = await stack.Http.PostAsJsonAsync(Deployments, new { repository = "git://127.0.0.1:9418/sample.git", branch = "main", clustr = "local" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith("branch is not a known field (known: repository, ref, configPath, cluster, concurrency, force)", errors.GetProperty("branch")[0].GetString());
        Assert.Equal("clustr is not a known field (did you mean cluster?).", errors.GetProperty("clustr")[0].GetString());
    }

    [Fact]
    public async Task A_control_character_in_a_field_is_refused_naming_it()
    {
        using var response = await stack.Http.PostAsJsonAsync(Deployments, new { repository = "git://127.0.0.1:9418/sample.git", configPath = "rad\u0000.json" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("configPath contains the control character U+0000; send it without control characters.", errors.GetProperty("configPath")[0].GetString());
    }

    [Fact]
    public async Task An_id_that_is_not_a_guid_answers_404_with_a_problem_body()
    {
        using var response = await stack.Http.GetAsync(new Uri(stack.Api, "/api/deployments/not-an-id"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'not-an-id' is not a deployment id", await response.Content.ReadAsStringAsync());
    }

    /// <summary>A JSON body sent without Content-Length (chunked), so the server only learns its size while reading.</summary>
    sealed class ChunkedContent : HttpContent
    {
        readonly string _text;

        public ChunkedContent(string text)
        {
            _text = text;
            Headers.ContentType = new("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = Encoding.UTF8.GetBytes(_text);
            for (var offset = 0; offset < bytes.Length; offset += 8192)
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(8192, bytes.Length - offset)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
