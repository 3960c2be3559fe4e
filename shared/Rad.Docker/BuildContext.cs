using System.Formats.Tar;
using System.IO.Enumeration;

namespace Rad.Docker;

/// <summary>Packs a build context folder as the tar stream POST /build expects, honouring .dockerignore's simple patterns.</summary>
public static class BuildContext
{
    public static async Task<MemoryStream> PackAsync(string directory, CancellationToken token)
    {
        var ignore = DockerIgnore.Load(directory);
        var output = new MemoryStream();
        await using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var file in Entries(directory))
            {
                var relative = Path.GetRelativePath(directory, file).Replace('\\', '/');
                if (relative == ".git" || relative.StartsWith(".git/", StringComparison.Ordinal) || ignore.IsIgnored(relative))
                    continue;
                if (Directory.Exists(file) && !File.GetAttributes(file).HasFlag(FileAttributes.ReparsePoint))
                {
                    await writer.WriteEntryAsync(file, relative + "/", token);
                    continue;
                }
                await writer.WriteEntryAsync(file, relative, token);
            }
        }
        output.Position = 0;
        return output;
    }

    // Every entry under the folder, not descending into symbolic links to folders: a link is sent as a link (as docker
    // build does), so a link to a folder of the host never brings that folder's files into the image.
    static IEnumerable<string> Entries(string directory) =>
        new FileSystemEnumerable<string>(directory, (ref FileSystemEntry entry) => entry.ToFullPath(),
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !entry.Attributes.HasFlag(FileAttributes.ReparsePoint),
        };
}
