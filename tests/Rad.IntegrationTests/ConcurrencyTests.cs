using System.Net.Http.Json;
using System.Text.Json;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>Two deployments of the same repository and cluster never race: the second waits (queue) or replaces the first (supersede).</summary>
[Collection(nameof(StackCollection))]
public sealed class ConcurrencyTests(Stack stack)
{
    [Fact]
    public async Task Second_deployment_of_the_same_repository_waits_for_the_first_and_shows_it()
    {
        var name = Stack.UniqueName("queue");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort(), extraDockerLines: "RUN sleep 4"));
        var first = await stack.DeployAsync(url);
        await stack.WaitForStageAsync(first, $"build docker image[{name}]", TimeSpan.FromSeconds(30));

        var second = await PostAsync(url, concurrency: null);
        var waiting = await stack.WaitForStageAsync(second, "wait for running deployment", TimeSpan.FromSeconds(10));

        Assert.Equal("Queued", waiting.State);
        Assert.Equal("queue", waiting.Concurrency);
        Assert.Contains(first.ToString(), Stage(waiting, "wait for running deployment").Message);
        var firstEnded = await stack.WaitForEndAsync(first);
        var secondEnded = await stack.WaitForEndAsync(second);
        Assert.Equal("Succeeded", firstEnded.State);
        Assert.Equal("Succeeded", secondEnded.State);
        Assert.True(Stage(secondEnded, "clone user git repository").StartedAt >= firstEnded.CompletedAt);
        Assert.Equal("Completed", Stage(secondEnded, "wait for running deployment").State);
    }

    [Fact]
    public async Task Superseding_deployment_cancels_the_running_one_before_it_rolls_out()
    {
        var name = Stack.UniqueName("supersede");
        var port = Stack.FreePort();
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, extraDockerLines: "RUN sleep 5"));
        var first = await stack.DeployAsync(url);
        await stack.WaitForStageAsync(first, $"build docker image[{name}]", TimeSpan.FromSeconds(30));

        var second = await PostAsync(url, concurrency: "supersede");
        var firstEnded = await stack.WaitForEndAsync(first);
        var secondEnded = await stack.WaitForEndAsync(second);

        Assert.Equal("Superseded", firstEnded.State);
        Assert.Equal(second, firstEnded.SupersededBy);
        Assert.Equal($"superseded by deployment {second}", firstEnded.Error);
        Assert.Equal("Cancelled", Stage(firstEnded, $"build docker image[{name}]").State);
        Assert.DoesNotContain(firstEnded.Stages, s => s.Name.StartsWith("deploy", StringComparison.Ordinal));
        Assert.Contains($"[CANCELLED]: build docker image[{name}] : superseded by deployment {second}", await stack.LogAsync(first));
        Assert.Equal("Succeeded", secondEnded.State);
        using var http = new HttpClient();
        Assert.Equal($"Hello from {name}", (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Unknown_concurrency_policy_is_refused_naming_the_choices()
    {
        using var response = await stack.Http.PostAsJsonAsync(new Uri(stack.Api, "/api/deployments"),
            new { repository = "git://127.0.0.1:9418/x.git", concurrency = "race" });

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("concurrency");
        Assert.StartsWith("\"race\" is not a concurrency policy: use \"queue\"", errors[0].GetString());
    }

    async Task<Guid> PostAsync(string repository, string? concurrency)
    {
        using var response = await stack.Http.PostAsJsonAsync(new Uri(stack.Api, "/api/deployments"), new { repository, concurrency });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    static StageView Stage(DeploymentView deployment, string name) => deployment.Stages.Single(s => s.Name == name);
}
