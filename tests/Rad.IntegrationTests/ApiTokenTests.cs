using System.Net;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>Each test runs a second status service (<see cref="SecondStatusService"/>) with its own token setting.</summary>
[Collection(nameof(StackCollection))]
public sealed class ApiTokenTests(Stack stack)
{
    [Fact]
    public async Task With_a_token_every_api_call_needs_the_bearer_token()
    {
        var token = "it-" + Guid.NewGuid().ToString("N");
        using var status = await SecondStatusService.StartHealthyAsync(stack, token);
        var api = status.Api;

        using var anonymous = Stack.ApiClient(null);
        using var wrong = Stack.ApiClient(token + "x");
        using var right = Stack.ApiClient(token);
        using var noHeader = await anonymous.GetAsync(new Uri(api, "/api/deployments"));
        using var wrongToken = await wrong.GetAsync(new Uri(api, "/api/deployments"));
        using var wrongStream = await wrong.GetAsync(new Uri(api, $"/api/deployments/{Guid.NewGuid()}/events"));
        using var wrongPost = await wrong.PostAsync(new Uri(api, "/api/deployments"), new StringContent("""{"repository":"git://127.0.0.1/x.git"}"""));
        using var authorised = await right.GetAsync(new Uri(api, "/api/deployments?limit=1"));
        using var health = await anonymous.GetAsync(new Uri(api, "/healthz"));

        Assert.Equal(HttpStatusCode.Unauthorized, noHeader.StatusCode);
        Assert.Equal("Bearer realm=\"rad\"", noHeader.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongStream.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain(token, await wrongToken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_a_token_it_refuses_to_listen_beyond_loopback_and_says_why()
    {
        using var status = SecondStatusService.Start(stack, $"http://0.0.0.0:{Stack.FreePort()}", token: null);
        var stderr = status.Process.StandardError.ReadToEndAsync();

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await status.Process.WaitForExitAsync(limit.Token);

        Assert.Equal(2, status.Process.ExitCode);
        Assert.Contains("refusing to listen on http://0.0.0.0:", await stderr);
        Assert.Contains("RAD_API_TOKEN", await stderr);
    }
}
