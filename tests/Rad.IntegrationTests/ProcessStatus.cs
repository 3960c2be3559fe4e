namespace Rad.IntegrationTests;

/// <summary>A process's memory as Linux reports it in /proc: PROCESS is a pid or "self".</summary>
static class ProcessStatus
{
    /// <summary>A size field of /proc/PROCESS/status (VmRSS, VmHWM, ...), in KiB.</summary>
    public static long Kib(string process, string field) =>
        long.Parse(File.ReadLines($"/proc/{process}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Resets the process's peak resident size (VmHWM) to what it holds now (proc(5), clear_refs), so a peak read after is what came since.</summary>
    public static Task ResetPeakAsync(string process) => File.WriteAllTextAsync($"/proc/{process}/clear_refs", "5");
}
