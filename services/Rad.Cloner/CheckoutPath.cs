using Rad.Contracts;

namespace Rad.Cloner;

/// <summary>
/// A path RAD reads from a checkout, resolved the way the system would open it (every symbolic link followed, at most
/// 40 of them), so that a link cannot lead a build or a config read out of the repository.
/// </summary>
public static class CheckoutPath
{
    const int MaxLinks = 40;

    /// <summary>The real path of <paramref name="relative"/> inside <paramref name="checkout"/>, or why it is not inside.</summary>
    public static (string? Path, string? Problem) Resolve(string checkout, string relative)
    {
        var root = RealDirectory(checkout);
        var pending = new Stack<string>(relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = root;
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
                continue;
            var next = part == ".." ? System.IO.Path.GetDirectoryName(current) ?? current : System.IO.Path.Combine(current, part);
            if (!IsInside(root, next))
                return (null, "leads outside the repository");
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                    return (null, "is a chain of more than 40 symbolic links");
                if (target.StartsWith('/'))
                {
                    // An absolute link is followed from the root of the file system: inside the checkout only if it names it.
                    if (!IsInside(root, System.IO.Path.GetFullPath(target)))
                        return (null, $"is a symbolic link to {Excerpt.Of(target, 100)}, outside the repository");
                    foreach (var piece in System.IO.Path.GetRelativePath(root, System.IO.Path.GetFullPath(target)).Split('/').Reverse())
                        pending.Push(piece);
                    current = root;
                    continue;
                }
                foreach (var piece in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                    pending.Push(piece);
                continue;
            }
            current = next;
        }
        return IsInside(root, current) ? (current, null) : (null, "leads outside the repository");
    }

    static string RealDirectory(string directory)
    {
        var info = new DirectoryInfo(directory);
        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
    }

    static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

}
