namespace Rad.Edge;

/// <summary>The edge's files (HAProxy's configuration, the servers' saved state) are replaced whole, never seen half-written.</summary>
static class EdgeFiles
{
    /// <summary>Writes <paramref name="text"/> beside <paramref name="path"/>, lets <paramref name="check"/> refuse it there, then puts it in place.</summary>
    public static async Task ReplaceAsync(string path, string text, CancellationToken token, Func<string, Task>? check = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var candidate = path + ".next";
        await File.WriteAllTextAsync(candidate, text, token);
        if (check is not null)
            await check(candidate);
        File.Move(candidate, path, overwrite: true);
    }
}
