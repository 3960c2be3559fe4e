using System.Text.RegularExpressions;

namespace Rad.Cloner;

/// <summary>Which repository addresses RAD clones from, and how to show one without its credentials.</summary>
public static partial class RepositoryUrl
{
    public static string? Reject(string repository, bool allowLocal)
    {
        if (repository.StartsWith('-'))
            return $"repository '{Redact(repository)}' is not a URL";
        if (ScpLike().IsMatch(repository))
            return null;
        if (repository.StartsWith('/'))
            return allowLocal ? null : $"repository '{repository}' is a local path; local repositories are disabled (set Rad__Cloner__AllowLocalRepositories=true on the cloner to allow them)";
        if (!Uri.TryCreate(repository, UriKind.Absolute, out var uri))
            return $"repository '{Redact(repository)}' is not a URL: use https://, ssh://, git:// or user@host:path";
        return uri.Scheme switch
        {
            "https" or "ssh" or "git" => string.IsNullOrEmpty(uri.Host) ? $"repository '{Redact(repository)}' names no host" : null,
            "file" => allowLocal ? null : $"repository '{repository}' is a file:// URL; local repositories are disabled (set Rad__Cloner__AllowLocalRepositories=true on the cloner to allow them)",
            _ => $"repository '{Redact(repository)}' uses {uri.Scheme}://, which RAD does not clone from: use https://, ssh:// or git://",
        };
    }

    /// <summary>Removes any user:token@ part, from a URL or from git's own output that quotes it.</summary>
    public static string Redact(string text) => Rad.Contracts.Redaction.Credentials(text);

    [GeneratedRegex(@"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$")]
    private static partial Regex ScpLike();
}
