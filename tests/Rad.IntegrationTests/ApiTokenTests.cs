using System.Diagnostics;
using System.Net;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>
/// A second status service, started by the test with its own settings next to the stack's (same database and bus), and
/// stopped by the test through the process it started.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class ApiTokenTests(Stack stack)
{
    [Fact]
    public async Task With_a_token_every_api_call_needs_the_bearer_token()
    {
        var token = "it-" + Guid.NewGuid().ToString("N");
        var port = Stack.FreePort();
        using var status = StartStatus($"http://127.0.0.1:{port}", token);
        var api = new Uri($"http://127.0.0.1:{port}");
        await WaitForHealthAsync(status.Process, api);

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
        using var status = StartStatus($"http://0.0.0.0:{Stack.FreePort()}", token: null);
        var stderr = status.Process.StandardError.ReadToEndAsync();

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await status.Process.WaitForExitAsync(limit.Token);

        Assert.Equal(2, status.Process.ExitCode);
        Assert.Contains("refusing to listen on http://0.0.0.0:", await stderr);
        Assert.Contains("RAD_API_TOKEN", await stderr);
    }

    StartedProcess StartStatus(string url, string? token)
    {
        var configuration = Environment.GetEnvironmentVariable("RAD_CONFIGURATION") ?? "Release";
        var directory = Path.Combine(stack.Root, "services", "Rad.Status", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "Rad.Status.dll", "--urls", url })
            start.ArgumentList.Add(argument);
        start.Environment.Remove("RAD_API_TOKEN");
        if (token is not null)
            start.Environment["RAD_API_TOKEN"] = token;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return new StartedProcess(process);
    }

    static async Task WaitForHealthAsync(Process process, Uri api)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the status service exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            try
            {
                using var response = await http.GetAsync(new Uri(api, "/healthz"));
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the status service at {api} did not become healthy within 60 s");
    }

    /// <summary>Stops the process this test started, and only it, when disposed: SIGTERM, then SIGKILL after 10 s.</summary>
    sealed class StartedProcess(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", Process.Id.ToString()]))
                    term.WaitForExit(5_000);
                if (!Process.WaitForExit(10_000))
                    Process.Kill(entireProcessTree: false);
            }
            Process.Dispose();
        }
    }
}
