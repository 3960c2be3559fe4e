using System.Text.RegularExpressions;

namespace Rad.Cloner;

/// <summary>One line of what the server advertises (ls-remote): a ref, the object it names, and for HEAD the branch it points to.</summary>
public sealed record AdvertisedRef(string Name, string ObjectId, string? SymbolicTarget = null);

/// <summary>
/// What a deployment's ref means on the server, decided from the advertised refs alone: the commit, and the ref to
/// fetch it by (<see cref="Source"/>). A full SHA that no ref points at has no source; an abbreviated SHA has no
/// commit yet: both need a fetch by commit or of the history.
/// </summary>
public sealed partial record RemoteTarget(string Ref, string? Commit, string? Source)
{
    public static RemoteTarget Resolve(string gitRef, IReadOnlyList<AdvertisedRef> refs, GitRemote remote)
    {
        // Annotated tags are advertised twice: the tag object, then "^{}" with the commit it peels to.
        string CommitOf(AdvertisedRef r) => refs.FirstOrDefault(p => p.Name == r.Name + "^{}")?.ObjectId ?? r.ObjectId;

        if (gitRef == "HEAD")
        {
            var head = refs.FirstOrDefault(r => r.Name == "HEAD")
                ?? throw new CloneException($"{remote} has no default branch (HEAD); name a branch, tag or commit");
            return new RemoteTarget(gitRef, head.ObjectId, head.SymbolicTarget ?? "HEAD");
        }
        var named = new[] { $"refs/heads/{gitRef}", $"refs/tags/{gitRef}", gitRef }
            .Select(name => refs.FirstOrDefault(r => r.Name == name && name.StartsWith("refs/", StringComparison.Ordinal)))
            .FirstOrDefault(r => r is not null);
        if (named is not null)
            return new RemoteTarget(gitRef, CommitOf(named), named.Name);
        if (FullSha().IsMatch(gitRef))
        {
            var tip = refs.Where(r => r.Name != "HEAD" && !r.Name.EndsWith("^{}", StringComparison.Ordinal))
                .OrderBy(r => r.Name.StartsWith("refs/heads/", StringComparison.Ordinal) ? 0 : 1)
                .FirstOrDefault(r => CommitOf(r) == gitRef);
            return new RemoteTarget(gitRef, gitRef, tip?.Name);
        }
        if (ShortSha().IsMatch(gitRef))
            return new RemoteTarget(gitRef, null, null);
        throw new CloneException($"ref '{gitRef}' was not found in {remote}: it is no branch or tag there (commits are given by their full 40-character SHA)");
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex FullSha();

    [GeneratedRegex("^[0-9a-f]{7,39}$")]
    private static partial Regex ShortSha();
}
