using System.Formats.Tar;
using System.IO.Enumeration;

namespace Rad.Docker;

/// <summary>Packs a build context folder as the tar stream POST /build expects, honouring .dockerignore's simple patterns.</summary>
public static class BuildContext
{
    /// <summary>
    /// The bytes of the regular files the context would send: what its tar holds besides headers, known from the folder
    /// alone, so a context far too large is refused before anything is read or sent.
    /// </summary>
    public static long FileBytes(string directory)
    {
        var ignore = DockerIgnore.Load(directory);
        long total = 0;
        foreach (var entry in Included(directory, ignore))
            if (entry.Kind == EntryKind.File)
                total += entry.Length;
        return total;
    }

    /// <summary>
    /// Writes the context's tar to <paramref name="output"/> as it reads the folder, never holding more than a file's
    /// buffer; stops with <see cref="BuildContextTooLargeException"/> as soon as the tar would pass <paramref name="maxBytes"/>.
    /// </summary>
    public static async Task WriteAsync(string directory, Stream output, long maxBytes, CancellationToken token)
    {
        var ignore = DockerIgnore.Load(directory);
        var limited = new LimitedWriteStream(output, maxBytes);
        var current = "";
        try
        {
            await using var writer = new TarWriter(limited, TarEntryFormat.Pax, leaveOpen: true);
            foreach (var entry in Included(directory, ignore))
            {
                current = entry.Relative;
                await writer.WriteEntryAsync(entry.Path, entry.Kind == EntryKind.Directory ? entry.Relative + "/" : entry.Relative, token);
            }
        }
        catch (BuildContextTooLargeException e)
        {
            throw new BuildContextTooLargeException(e.Reached, e.Limit, current);
        }
    }

    enum EntryKind { File, Directory, Other }

    readonly record struct Entry(string Path, string Relative, EntryKind Kind, long Length);

    static IEnumerable<Entry> Included(string directory, DockerIgnore ignore)
    {
        foreach (var entry in Entries(directory))
        {
            if (entry.Relative == ".git" || entry.Relative.StartsWith(".git/", StringComparison.Ordinal) || ignore.IsIgnored(entry.Relative))
                continue;
            yield return entry;
        }
    }

    // Every entry under the folder, not descending into symbolic links to folders: a link is sent as a link (as docker
    // build does), so a link to a folder of the host never brings that folder's files into the image.
    static IEnumerable<Entry> Entries(string directory) =>
        new FileSystemEnumerable<Entry>(directory, (ref FileSystemEntry entry) =>
            {
                var path = entry.ToFullPath();
                var link = entry.Attributes.HasFlag(FileAttributes.ReparsePoint);
                var kind = link ? EntryKind.Other : entry.IsDirectory ? EntryKind.Directory : EntryKind.File;
                return new Entry(path, Path.GetRelativePath(directory, path).Replace('\\', '/'), kind, kind == EntryKind.File ? entry.Length : 0);
            },
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !entry.Attributes.HasFlag(FileAttributes.ReparsePoint),
        };
}
