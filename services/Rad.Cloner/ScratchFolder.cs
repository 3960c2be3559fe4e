using System.Globalization;

namespace Rad.Cloner;

/// <summary>
/// Folders that exist only while this process writes or removes them: a clone or cache copy in progress
/// (<c>NAME.partial-PID-GUID</c>) and a removal in progress (<c>NAME.removing-PID-GUID</c>). The pid names the owner, so a
/// sweep can tell a folder whose cloner was killed (gone at once, at start-up) from one a live cloner is still writing.
/// </summary>
public static class ScratchFolder
{
    const string Partial = ".partial-";
    const string Removing = ".removing-";

    /// <summary>Removes a scratch folder if it is there; one that cannot be removed now is left to the janitor.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string PartialFor(string path) => $"{path}{Partial}{Environment.ProcessId}-{Guid.NewGuid():N}";

    public static string RemovingFor(string path) => $"{path}{Removing}{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>A scratch folder whose owner no longer runs (or that predates owners in names: those were all made by an earlier process).</summary>
    public static bool IsOrphan(string name, Func<int, bool> ownerAlive)
    {
        var marker = name.LastIndexOf(Partial, StringComparison.Ordinal) is var p and >= 0 ? p + Partial.Length
            : name.LastIndexOf(Removing, StringComparison.Ordinal) is var r and >= 0 ? r + Removing.Length
            : -1;
        if (marker < 0)
            return false;
        var rest = name.AsSpan(marker);
        var dash = rest.IndexOf('-');
        return dash <= 0 || !int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !ownerAlive(pid);
    }

    /// <summary>
    /// This process, or another live cloner (several may share a workspace). A recycled pid of another program does not count:
    /// its command line must name the cloner.
    /// </summary>
    public static bool ClonerAlive(int pid)
    {
        if (pid == Environment.ProcessId)
            return true;
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return commandLine.Contains("Rad.Cloner", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
