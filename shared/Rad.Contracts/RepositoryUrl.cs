using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>
/// Which repository addresses RAD clones from: https://, ssh://, git:// and user@host:path; file:// and local paths
/// only where the cloner allows them. The API checks requests with it, the cloner checks again with its own setting.
/// </summary>
public static partial class RepositoryUrl
{
    /// <summary>Null when RAD clones from <paramref name="repository"/>; else why not, to follow the repository's (redacted) address.</summary>
    public static string? Problem(string repository, bool allowLocal)
    {
        if (repository.StartsWith('-'))
            return "is not a URL";
        if (ScpLike().IsMatch(repository))
            return null;
        if (repository.StartsWith('/'))
            return allowLocal ? null : $"is a local path; {LocalDisabled}";
        if (!Uri.TryCreate(repository, UriKind.Absolute, out var uri))
            return "is not a URL: use https://, ssh://, git:// or user@host:path";
        return uri.Scheme switch
        {
            "https" or "ssh" or "git" => string.IsNullOrEmpty(uri.Host) ? "names no host" : null,
            "file" => allowLocal ? null : $"is a file:// URL; {LocalDisabled}",
            _ => $"uses {uri.Scheme}://, which RAD does not clone from: use https://, ssh:// or git://",
        };
    }

    /// <summary>The cloner's wording: "repository 'ADDRESS' REASON", or null when RAD clones from it.</summary>
    public static string? Reject(string repository, bool allowLocal) =>
        Problem(repository, allowLocal) is { } problem ? $"repository '{Redact(repository)}' {problem}" : null;

    /// <summary>Removes any user:token@ part, from a URL or from git's own output that quotes it.</summary>
    public static string Redact(string text) => Redaction.Credentials(text);

    const string LocalDisabled = "local repositories are disabled (set Rad__Cloner__AllowLocalRepositories=true on the cloner to allow them)";

    [GeneratedRegex(@"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$")]
    private static partial Regex ScpLike();
}
