using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Rad.Cloner;

/// <summary>
/// Complete checkouts (working trees, without .git) kept by repository and commit, so a redeploy of a commit the cloner
/// already fetched copies it instead of fetching. Keyed by repository too, so a server can never obtain another
/// repository's files by advertising a commit it does not have. Bounded: at most CachedCheckouts entries, none larger
/// than CachedCheckoutMegabytes, each gone after WorkspaceRetention unused. Entries appear and disappear by rename, so a
/// reader sees a whole entry or none.
/// </summary>
public sealed class CheckoutCache(IOptions<ClonerOptions> options, TimeProvider clock, ILogger<CheckoutCache> logger)
{
    public const string FolderName = ".commits";

    public string Root => Path.Combine(options.Value.Workspace, FolderName);

    public bool TryCopyTo(GitRemote remote, string commit, string directory)
    {
        var entry = Entry(remote, commit);
        if (!Directory.Exists(entry))
            return false;
        try
        {
            Copy(new DirectoryInfo(entry), directory);
            Directory.SetLastWriteTimeUtc(entry, clock.GetUtcNow().UtcDateTime);
            return true;
        }
        catch (IOException e)
        {
            // Evicted while being copied: fetch instead.
            logger.LogInformation("Cached checkout {Entry} could not be copied ({Reason}); fetching instead", entry, e.Message);
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
            return false;
        }
    }

    public void Add(GitRemote remote, string commit, string checkout)
    {
        var entry = Entry(remote, commit);
        if (!Directory.Exists(entry) && Fits(commit, checkout))
        {
            var scratch = ScratchFolder.PartialFor(entry);
            try
            {
                // The builder never reads .git, and a working tree is all a later deployment needs.
                Copy(new DirectoryInfo(checkout), scratch, except: ".git");
                Directory.Move(scratch, entry);
            }
            catch (IOException)
            {
                // Another deployment of the same commit added it first, or the checkout was released while being copied.
                Remove(scratch);
            }
        }
        Prune();
    }

    /// <summary>Removes entries unused for longer than the retention and the least recently used beyond the count.</summary>
    public void Prune()
    {
        var root = new DirectoryInfo(Root);
        if (!root.Exists)
            return;
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.WorkspaceRetention;
        var entries = root.EnumerateDirectories().OrderByDescending(d => d.LastWriteTimeUtc).ToList();
        var complete = entries.Where(d => !d.Name.Contains('.')).ToList();
        foreach (var stale in complete.Skip(Math.Max(0, options.Value.CachedCheckouts))
                     .Concat(entries.Where(d => d.LastWriteTimeUtc < cutoff)).Distinct())
        {
            Remove(stale.FullName);
            logger.LogInformation("Removed cached checkout {Entry}, unused since {LastWrite:u}", stale.Name, stale.LastWriteTimeUtc);
        }
    }

    string Entry(GitRemote remote, string commit) =>
        Path.Combine(Root, $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(remote.Url)))[..16]}-{commit}");

    static void Remove(string directory)
    {
        var doomed = ScratchFolder.RemovingFor(directory);
        try
        {
            Directory.Move(directory, doomed);
            Directory.Delete(doomed, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // Whether the checkout's files are within CachedCheckoutMegabytes; logs why not when they are over.
    bool Fits(string commit, string checkout)
    {
        var limit = options.Value.CachedCheckoutMegabytes * 1024L * 1024;
        if (Size(new DirectoryInfo(checkout), limit, except: ".git") <= limit)
            return true;
        logger.LogInformation("Not keeping the checkout of {Commit} for redeploys: its files are over {Limit} MB (Rad__Cloner__CachedCheckoutMegabytes); a redeploy of that commit fetches it again",
            commit, options.Value.CachedCheckoutMegabytes);
        return false;
    }

    /// <summary>The bytes of the files under a folder (links count as links), counted only until they pass <paramref name="limit"/>.</summary>
    static long Size(DirectoryInfo folder, long limit, string? except = null)
    {
        long size = 0;
        foreach (var entry in folder.EnumerateFileSystemInfos().Where(e => e.Name != except))
        {
            if (entry.LinkTarget is not null)
                continue;
            size += entry is DirectoryInfo directory ? Size(directory, limit - size) : ((FileInfo)entry).Length;
            if (size > limit)
                break;
        }
        return size;
    }

    /// <summary>Copies files with their modes and symbolic links as links (never what they point to).</summary>
    public static void Copy(DirectoryInfo source, string destination, string? except = null)
    {
        Directory.CreateDirectory(destination);
        foreach (var entry in source.EnumerateFileSystemInfos().Where(e => e.Name != except))
        {
            var target = Path.Combine(destination, entry.Name);
            if (entry.LinkTarget is { } link)
                File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo directory)
                Copy(directory, target);
            else
                ((FileInfo)entry).CopyTo(target);
        }
    }
}
