using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests;

[Collection(nameof(StackCollection))]
public sealed class EventStreamTests(Stack stack)
{
    [Fact]
    public async Task Event_stream_delivers_every_stage_change_in_order_live_then_ends()
    {
        var name = Stack.UniqueName("sse");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));
        var id = await stack.DeployAsync(url);

        var events = await ReadStreamAsync(id, lastEventId: null);

        var ended = await stack.GetAsync(id);
        Assert.Equal("Succeeded", ended.State);
        var stages = events.Where(e => e.Type == "stage").ToList();
        Assert.Equal(Enumerable.Range(1, stages.Count).Select(i => (long?)i), stages.Select(e => e.Id));
        Assert.Equal(
            ["clone user git repository:InProgress", "provision cluster[local]:InProgress", $"build docker image[{name}]:InProgress",
             $"deploy application[{name}]:InProgress", $"validate[{name}]:InProgress", $"switch[{name}]:InProgress", $"deploy application[{name}]:Completed"],
            stages.Select(e => $"{e.Data.GetProperty("stage").GetString()}:{e.Data.GetProperty("state").GetString()}")
                .Where(s => s.EndsWith(":InProgress", StringComparison.Ordinal) || s.StartsWith("deploy", StringComparison.Ordinal)));
        Assert.Equal(stages.Count, (await stack.LogAsync(id)).Split('\n').Count(l => l.StartsWith('[')));
        Assert.All(stages, e => Assert.True(e.Data.TryGetProperty("time", out _) && e.Data.TryGetProperty("message", out _)));
        var end = Assert.Single(events, e => e.Type == "end");
        Assert.Same(end, events[^1]);
        Assert.Equal("Succeeded", end.Data.GetProperty("state").GetString());
        Assert.StartsWith("http://127.0.0.1:", end.Data.GetProperty("applications")[0].GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task A_resumed_stream_replays_only_what_came_after_the_last_event_id()
    {
        var name = Stack.UniqueName("sse-resume");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));
        var id = await stack.DeployAsync(url);
        var all = await ReadStreamAsync(id, lastEventId: null);

        var resumed = await ReadStreamAsync(id, lastEventId: 3);

        Assert.Equal(all.Where(e => e.Id > 3).Select(e => e.Id), resumed.Where(e => e.Type == "stage").Select(e => e.Id));
        Assert.Equal("end", resumed[^1].Type);
    }

    [Fact]
    public async Task The_list_shows_how_a_deployment_ended_as_soon_as_its_stream_does()
    {
        // The list is kept in memory while nothing moves; reading it all along keeps a copy made while the deployment ran
        // at hand, and the stream's end is heard after the list learns that it moved.
        var name = Stack.UniqueName("sse-list");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));
        var id = await stack.DeployAsync(url);
        using var ended = new CancellationTokenSource();
        var seenRunning = false;
        var reading = Task.Run(async () =>
        {
            while (!ended.IsCancellationRequested)
            {
                var state = StateIn(await stack.Http.GetFromJsonAsync<JsonElement>(new Uri(stack.Api, "/api/deployments?limit=50")), id);
                seenRunning |= state is not null && !DeploymentStates.IsFinal(state);
                await Task.Delay(50);
            }
        });

        var events = await ReadStreamAsync(id, lastEventId: null);
        var listed = StateIn(await stack.Http.GetFromJsonAsync<JsonElement>(new Uri(stack.Api, "/api/deployments?limit=50")), id);
        await ended.CancelAsync();
        await reading;

        Assert.True(seenRunning, "the list never showed the deployment before it ended");
        Assert.Equal("Succeeded", events[^1].Data.GetProperty("state").GetString());
        Assert.Equal("Succeeded", listed);
    }

    static string? StateIn(JsonElement list, Guid id) =>
        list.EnumerateArray().Where(d => d.GetProperty("id").GetGuid() == id).Select(d => d.GetProperty("state").GetString()).FirstOrDefault();

    [Fact]
    public async Task Unknown_deployment_has_no_stream()
    {
        using var response = await stack.Http.GetAsync(new Uri(stack.Api, $"/api/deployments/{Guid.NewGuid()}/events"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    async Task<List<SseEvent>> ReadStreamAsync(Guid id, long? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(stack.Api, $"/api/deployments/{id}/events"));
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId.ToString());
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await stack.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(limit.Token));
        var events = new List<SseEvent>();
        string? type = null, data = null;
        long? eventId = null;
        // The server closes the stream after the end event; reading to the end proves it does.
        while (await reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) eventId = long.Parse(line[4..]);
            else if (line.Length == 0 && type is not null)
            {
                events.Add(new SseEvent(type, eventId, JsonDocument.Parse(data!).RootElement.Clone()));
                (type, data, eventId) = (null, null, null);
            }
        }
        return events;
    }

    sealed record SseEvent(string Type, long? Id, JsonElement Data);
}
