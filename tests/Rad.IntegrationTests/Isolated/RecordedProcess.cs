using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// A process the test started, its output in a log file of its own; stopped by its own process id (SIGTERM, then
/// SIGKILL after a grace period) and never by name.
/// </summary>
public sealed class RecordedProcess : IAsyncDisposable
{
    const int SigTerm = 15;

    readonly Process _process;

    RecordedProcess(string name, Process process, string log)
    {
        Name = name;
        _process = process;
        Log = log;
    }

    public string Name { get; }
    public string Log { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <paramref name="file"/> through sh, which execs it with its output appended to <paramref name="log"/>:
    /// the recorded id is the program's own.
    /// </summary>
    public static RecordedProcess Start(string name, string log, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        string file, params string[] arguments)
    {
        var start = new ProcessStartInfo("sh") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec \"$@\" >>\"$0\" 2>&1", log, file, .. arguments])
            start.ArgumentList.Add(argument);
        // Settings that scripts/test exports for the shared stack (deadlines, tokens, secrets) must not reach this one.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("Rad__", StringComparison.Ordinal)
                     || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k is "RAD_API_TOKEN" or "RAD_WEBHOOK_SECRET").ToList())
            start.Environment.Remove(inherited);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return new RecordedProcess(name, Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}"), log);
    }

    /// <summary>The last lines of its log, for a failure message.</summary>
    public string Tail(int lines = 25)
    {
        try
        {
            return $"--- {Name} (pid {Id}), {Log}:\n" + string.Join('\n', File.ReadLines(Log).TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"--- {Name}: log unreadable: {e.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
