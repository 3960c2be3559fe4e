using System.Diagnostics;
using Rad.IntegrationTests.Isolated;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Kills an isolated RAD's status service (found by its HTTP port) with SIGKILL and starts it again as it was started:
/// same program, arguments, working folder, RAD settings and log. Only for processes of the test's own RAD.
/// </summary>
public sealed record StatusProcess(int Pid, string WorkingDirectory, string Log, IReadOnlyDictionary<string, string> Environment, string[] Command)
{
    public static StatusProcess Kill(int port)
    {
        var pid = Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var id) ? id : 0).Where(id => id > 0)
            .Single(id => Arguments(id) is { } arguments && arguments.Any(a => a.EndsWith("Rad.Status.dll", StringComparison.Ordinal))
                          && arguments.Contains($"http://127.0.0.1:{port}"));
        var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2))
            .Where(e => e[0].StartsWith("Rad__", StringComparison.Ordinal) || e[0].StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                        || e[0] is "DOTNET_ENVIRONMENT" or "ASPNETCORE_ENVIRONMENT")
            .ToDictionary(e => e[0], e => e[1]);
        var process = new StatusProcess(pid, new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget!, new FileInfo($"/proc/{pid}/fd/1").LinkTarget!,
            environment, Arguments(pid)!);
        using (var running = Process.GetProcessById(pid))
        {
            running.Kill();
            running.WaitForExit(10_000);
        }
        return process;
    }

    public async Task<RecordedProcess> StartAgainAsync(HttpClient http)
    {
        var process = RecordedProcess.Start("status", Log, WorkingDirectory, Environment, Command[0], Command[1..]);
        var url = Command[Array.IndexOf(Command, "--urls") + 1];
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            try
            {
                if ((await http.GetAsync($"{url}/healthz")).IsSuccessStatusCode)
                    return process;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(250);
        }
        await process.DisposeAsync();
        throw new TimeoutException($"the status service did not answer {url}/healthz within 120 s after it was started again\n{process.Tail()}");
    }

    static string[]? Arguments(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
