using System.Diagnostics;

namespace Rad.IntegrationTests;

/// <summary>
/// A second status service, started by a test with its own settings next to the stack's (same database and bus), and
/// stopped by the test through the process it started: SIGTERM, then SIGKILL after 10 s.
/// </summary>
public sealed class SecondStatusService : IDisposable
{
    SecondStatusService(Process process, Uri api)
    {
        Process = process;
        Api = api;
    }

    public Process Process { get; }
    public Uri Api { get; }

    public static SecondStatusService Start(Stack stack, string url, string? token)
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
        return new SecondStatusService(process, new Uri(url));
    }

    /// <summary>Starts one on a free loopback port and waits until it is healthy.</summary>
    public static async Task<SecondStatusService> StartHealthyAsync(Stack stack, string? token)
    {
        var status = Start(stack, $"http://127.0.0.1:{Stack.FreePort()}", token);
        try
        {
            await status.WaitForHealthAsync();
            return status;
        }
        catch
        {
            status.Dispose();
            throw;
        }
    }

    public async Task WaitForHealthAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (Process.HasExited)
                throw new InvalidOperationException($"the status service exited with {Process.ExitCode}: {await Process.StandardError.ReadToEndAsync()}");
            try
            {
                using var response = await http.GetAsync(new Uri(Api, "/healthz"));
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the status service at {Api} did not become healthy within 60 s");
    }

    bool _disposed;

    /// <summary>Stops it (a test may stop it early to see what the others do without it); a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!Process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                term.WaitForExit(5_000);
            if (!Process.WaitForExit(10_000))
                Process.Kill(entireProcessTree: false);
        }
        Process.Dispose();
    }
}
