using System.Net;
using System.Text.Json;
using Rad.IntegrationTests.Isolated;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>The test's own RAD keeping the images of 2 revisions per application, judging images of any age, on request only.</summary>
public sealed class CollectingRad : IsolatedRad
{
    public const int KeepRevisions = 2;

    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Rad__Gc__KeepRevisions"] = KeepRevisions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Rad__Gc__MinimumAge"] = "00:00:00";
        environment["Rad__Gc__Interval"] = "00:00:00";
    }
}

/// <summary>
/// Issue 12, item 6: the engine went from 54 to 150 images over ~300 deployments, since nothing removed the images of
/// revisions no rollback needs. Image collection keeps the last N revisions of each application (and pins) and removes
/// the rest: listed first by a dry run, which changes nothing, then removed, counted in the builder's metrics.
/// </summary>
public sealed class HostileImageCollectionTests(CollectingRad rad) : IClassFixture<CollectingRad>
{
    [Fact]
    public async Task Images_of_revisions_beyond_the_last_N_go_and_those_of_the_last_N_stay()
    {
        var name = Stack.UniqueName("gc");
        rad.RemoveAtEnd(name);
        var port = IsolatedRad.FreeApplicationPort();
        var images = new List<string>();
        for (var revision = 1; revision <= 4; revision++)
        {
            var repository = await rad.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: $"revision {revision}"));
            var deployment = await rad.WaitForEndAsync(await rad.DeployAsync(repository), TimeSpan.FromMinutes(3));
            Assert.True(deployment.State == "Succeeded", $"deployment {revision}: {deployment.Error}");
            images.Add(deployment.Applications.Single().Image!);
        }
        var old = images.Take(4 - CollectingRad.KeepRevisions).ToList();
        var recent = images.Skip(4 - CollectingRad.KeepRevisions).ToList();
        Assert.All(images, image => Assert.True(EngineHas(image), $"{image} is not in the engine before collection"));

        var dry = await GcAsync(dryRun: true);
        var listed = References(dry, "removed").Concat(References(dry, "refused")).ToList();
        Assert.All(old, image => Assert.Contains(image, listed));
        Assert.All(recent, image => Assert.DoesNotContain(image, listed));
        Assert.All(images, image => Assert.True(EngineHas(image), $"the dry run removed {image}"));
        Assert.Equal(old.Order(), Registry(dry, "registryRemoved").Order());
        Assert.All(images, image => Assert.True(RegistryHas(image).Result, $"the dry run deleted {image} from the registry"));

        // An image a container still uses is refused, never forced. The replaced revisions' containers go when Swarm has
        // stopped and reaped their tasks, which takes longer on a busy engine: wait (bounded) until no old image is refused.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Refusals(dry, old) is { Count: > 0 } refusals)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90), $"old images still in use after {waited.Elapsed.TotalSeconds:0} s: {string.Join("; ", refusals)}");
            await Task.Delay(1000);
            dry = await GcAsync(dryRun: true);
        }

        var removedBefore = await MetricAsync("rad_gc_images_removed_total");
        var wet = await GcAsync(dryRun: false);

        var removed = References(wet, "removed").ToList();
        Assert.True(old.All(removed.Contains), $"not removed: {string.Join("; ", Refusals(wet, old))}");
        Assert.All(old, image => Assert.False(EngineHas(image), $"{image} is still in the engine"));
        Assert.All(recent, image => Assert.True(EngineHas(image), $"{image}, of a kept revision, was removed"));
        Assert.True(wet.GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(old.Order(), Registry(wet, "registryRemoved").Order());
        foreach (var image in images)
            Assert.True(await RegistryHas(image) == recent.Contains(image), $"{image}: in the registry {await RegistryHas(image)}, kept {recent.Contains(image)}");
        Assert.True(await MetricAsync("rad_gc_images_removed_total") >= removedBefore + old.Count);
        Assert.Equal("revision 4", (await rad.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim());
    }

    async Task<JsonElement> GcAsync(bool dryRun)
    {
        using var response = await rad.Http.PostAsync(new Uri(rad.Api, dryRun ? "/api/gc?dryRun=true" : "/api/gc"), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /api/gc answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    static IEnumerable<string> References(JsonElement answer, string list) =>
        answer.GetProperty(list).EnumerateArray().SelectMany(i => i.GetProperty("references").EnumerateArray().Select(r => r.GetString()!));

    static List<string> Refusals(JsonElement answer, IReadOnlyCollection<string> images) =>
        answer.GetProperty("refused").EnumerateArray()
            .Where(i => i.GetProperty("references").EnumerateArray().Any(r => images.Contains(r.GetString()!)))
            .Select(i => i.GetRawText()).ToList();

    static IEnumerable<string> Registry(JsonElement answer, string list) => answer.GetProperty(list).EnumerateArray().Select(i => i.GetProperty("id").GetString()!);

    async Task<bool> RegistryHas(string image)
    {
        var at = image.IndexOf('@');
        var slash = image.IndexOf('/');
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{image[..slash]}/v2/{image[(slash + 1)..at]}/manifests/{image[(at + 1)..]}");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await rad.Http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK;
    }

    static bool EngineHas(string image)
    {
        using var inspect = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", ["image", "inspect", image])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        inspect.WaitForExit(30_000);
        return inspect.ExitCode == 0;
    }

    async Task<double> MetricAsync(string metric)
    {
        var text = await rad.Http.GetStringAsync($"http://127.0.0.1:{rad.ServicePorts["builder"]}/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith(metric + " ", StringComparison.Ordinal));
        return double.Parse(line[(metric.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
