using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rad.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>A target removed while its delivery waits to retry gets nothing more.</summary>
public sealed class NotificationRemovalTests(SlowRetryRad rad, NotificationReceiver receiver, ITestOutputHelper output)
    : IClassFixture<SlowRetryRad>, IClassFixture<NotificationReceiver>
{
    [Fact]
    public async Task A_target_removed_between_two_attempts_is_not_tried_again()
    {
        var path = $"/fail/{Guid.NewGuid():N}";
        using var registered = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/notifications"), new { url = new Uri(receiver.BaseAddress, path).ToString() });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var notification = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var name = $"tc-nrm-{Guid.NewGuid().ToString("N")[..6]}";
        rad.RemoveAtEnd(name);
        var deployment = await rad.DeployAsync(await rad.PublishRepoAsync(name, Repos.WebApp(name, IsolatedRad.FreeApplicationPort(), registry: rad.Registry)));
        Assert.Equal(DeploymentStates.Succeeded, (await rad.WaitForEndAsync(deployment, TimeSpan.FromMinutes(3))).State);

        var first = Assert.Single(await receiver.WaitForAsync(path, 1, TimeSpan.FromSeconds(30)));
        using (var removed = await rad.Http.DeleteAsync(new Uri(rad.Api, $"/api/notifications/{notification}")))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var removedAt = DateTimeOffset.UtcNow;
        output.WriteLine($"removed {(removedAt - first.At).TotalSeconds:0.00} s after the first attempt");
        Assert.True(removedAt - first.At < rad.FirstDelay - TimeSpan.FromSeconds(1), "the removal came too late to land between the attempts");

        await Task.Delay(rad.FirstDelay + TimeSpan.FromSeconds(3));
        Assert.Single(receiver.To(path));
        Assert.Contains($"Notification {notification} was removed during its delivery; stopping", rad.ProcessLog("status"), StringComparison.Ordinal);
    }
}
