namespace Rad.Webhooks;

/// <summary>What RAD needs from a git host's push: where to clone, which ref moved, to which commit, and whether on purpose backwards.</summary>
public sealed record PushEvent(string CloneUrl, string Ref, string After, string? DefaultBranch, bool Forced = false)
{
    public bool DeletesRef => After.Length > 0 && After.All(c => c == '0');

    public string? Branch => Ref.StartsWith("refs/heads/", StringComparison.Ordinal) ? Ref["refs/heads/".Length..] : null;
}
