using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rad.IntegrationTests.Isolated;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 3: a repository that declares another repository's application name does not take it over. Its
/// deployment fails right after the clone naming the owner, the owner's service keeps serving, and only an operator's
/// recorded transfer (rad apps transfer) lets the other repository deploy it.
/// </summary>
public sealed class HostileApplicationTakeoverTests(IsolatedRad rad, ITestOutputHelper output) : IClassFixture<IsolatedRad>
{
    [Fact]
    public async Task Another_repository_naming_an_owned_application_fails_at_once_and_the_owner_keeps_serving_until_a_transfer()
    {
        var name = $"own-{Guid.NewGuid().ToString("N")[..6]}";
        rad.RemoveAtEnd(name);
        var ownerPort = IsolatedRad.FreeApplicationPort();
        var owner = await rad.PublishRepoAsync($"{name}-owner", Repos.WebApp(name, ownerPort, greeting: "the owner", registry: rad.Registry));
        var first = await rad.WaitForEndAsync(await rad.DeployAsync(owner), TimeSpan.FromMinutes(2));
        Assert.True(first.State == "Succeeded", await rad.LogAsync(first.Id));
        Assert.Equal("the owner", await AnswerAsync(ownerPort));

        var intruderPort = IsolatedRad.FreeApplicationPort();
        var intruder = await rad.PublishRepoAsync($"{name}-intruder", Repos.WebApp(name, intruderPort, greeting: "the intruder", registry: rad.Registry));
        var watch = Stopwatch.StartNew();
        var refused = await rad.WaitForEndAsync(await rad.DeployAsync(intruder), TimeSpan.FromMinutes(1));
        output.WriteLine($"the intruder's deployment ended {refused.State} {watch.Elapsed.TotalMilliseconds:0} ms after it was requested " +
                         $"({RefusalAfterClone(refused):0} ms after its clone completed)");
        foreach (var stage in refused.Stages)
            output.WriteLine($"  {stage.Name}: {stage.State}, {((stage.CompletedAt ?? stage.StartedAt) - stage.StartedAt).TotalMilliseconds:0} ms");

        Assert.Equal("Failed", refused.State);
        Assert.Equal($"claim application[{name}]: application '{name}' on cluster 'local' belongs to repository {owner}; " +
                     $"ask an operator to run `rad apps transfer {name} --to {intruder}`, or rename it in rad.json", refused.Error);
        Assert.DoesNotContain(refused.Stages, s => s.Name.StartsWith("build docker image", StringComparison.Ordinal) || s.Name.StartsWith("deploy application", StringComparison.Ordinal));
        Assert.True(RefusalAfterClone(refused) < 1000, $"refused {RefusalAfterClone(refused):0} ms after the clone");
        Assert.Equal("the owner", await AnswerAsync(ownerPort));
        Assert.Null(await AnswerOrNullAsync(intruderPort));

        var (exit, stdout, stderr) = await Stack.RunCliAsync(rad.Api, inheritToken: false, "apps", "transfer", name, "--to", intruder, "--reason", "moved to the new repository");
        Assert.True(exit == 0, stderr);
        output.WriteLine(stdout);
        Assert.StartsWith($"{name} on local belongs to {intruder} since ", stdout);
        var record = await rad.Http.GetFromJsonAsync<JsonElement>(new Uri(rad.Api, $"/api/applications/{name}/owner"));
        Assert.Equal(intruder, record.GetProperty("repository").GetString());
        var transfer = record.GetProperty("history")[0];
        Assert.Equal("transferred", transfer.GetProperty("action").GetString());
        Assert.Equal(owner, transfer.GetProperty("from").GetString());
        Assert.Equal(intruder, transfer.GetProperty("to").GetString());
        Assert.Equal("moved to the new repository", transfer.GetProperty("reason").GetString());
        Assert.Contains("@", transfer.GetProperty("by").GetString());
        Assert.Equal("claimed", record.GetProperty("history")[1].GetProperty("action").GetString());
        Assert.Equal(first.Id, record.GetProperty("history")[1].GetProperty("deploymentId").GetGuid());

        var transferred = await rad.WaitForEndAsync(await rad.DeployAsync(intruder), TimeSpan.FromMinutes(2));
        Assert.True(transferred.State == "Succeeded", await rad.LogAsync(transferred.Id));
        Assert.Equal("the intruder", await AnswerAsync(intruderPort));

        // The former owner is now the one refused.
        var former = await rad.WaitForEndAsync(await rad.DeployAsync(owner), TimeSpan.FromMinutes(1));
        Assert.Equal("Failed", former.State);
        Assert.StartsWith($"claim application[{name}]: application '{name}' on cluster 'local' belongs to repository {intruder};", former.Error);
        Assert.Equal("the intruder", await AnswerAsync(intruderPort));
    }

    [Fact]
    public async Task Transfer_of_an_application_nobody_owns_answers_404_and_a_bad_repository_400()
    {
        using var unknown = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/applications/nobody-has-this/transfer"), new { to = "https://example.com/org/app.git" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no repository owns an application named 'nobody-has-this' on cluster local", await unknown.Content.ReadAsStringAsync());

        using var bad = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/applications/nobody-has-this/transfer"), new { to = "ftp://example.com/app", too = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("ftp://", problem.GetProperty("errors").GetProperty("to")[0].GetString());
        Assert.Contains("is not a known field", problem.GetProperty("errors").GetProperty("too")[0].GetString());
    }

    static double RefusalAfterClone(Rad.Contracts.DeploymentView deployment)
    {
        var clone = deployment.Stages.Single(s => s.Name == "clone user git repository");
        return (deployment.CompletedAt!.Value - clone.CompletedAt!.Value).TotalMilliseconds;
    }

    async Task<string> AnswerAsync(int port) =>
        (await rad.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim();

    async Task<string?> AnswerOrNullAsync(int port)
    {
        try
        {
            using var quick = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            return (await quick.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
