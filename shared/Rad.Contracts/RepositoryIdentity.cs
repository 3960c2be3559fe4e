using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>
/// Which repository an address names, for deciding who owns an application and which webhook binding applies:
/// https://token@Host/org/app.git/, ssh://git@host/org/app and git@host:org/app all name host/org/app. The scheme
/// does not count (one repository is usually served over several), a port other than the scheme's default does.
/// </summary>
public static class RepositoryIdentity
{
    public static string Of(string repository)
    {
        var address = Redaction.Credentials(repository).Trim();
        string identity;
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
            identity = $"{uri.Host.ToLowerInvariant()}{(uri.IsDefaultPort || uri.Port == DefaultPort(uri.Scheme) ? "" : $":{uri.Port}")}/{uri.AbsolutePath.Trim('/')}";
        else if (ScpHost(address) is { } scp)
            identity = $"{scp.Host.ToLowerInvariant()}/{scp.Path.Trim('/')}";
        else if (Uri.TryCreate(address, UriKind.Absolute, out var file) && file.IsFile)
            identity = file.LocalPath.TrimEnd('/');
        else
            identity = address.TrimEnd('/');
        identity = identity.TrimEnd('/');
        return identity.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? identity[..^4].TrimEnd('/') : identity;
    }

    // Linear time, as Redaction's: the address may be long and is the user's.
    static readonly Regex UserInfo = new(@"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    /// <summary>The address as given, without any user:token@ part: how RAD records and names a repository that owns something.</summary>
    public static string WithoutUserInfo(string repository) => UserInfo.Replace(repository.Trim(), "$1");

    public static bool Same(string a, string b) => string.Equals(Of(a), Of(b), StringComparison.Ordinal);

    static int DefaultPort(string scheme) => scheme switch
    {
        "git" => 9418,
        "ssh" => 22,
        "https" => 443,
        "http" => 80,
        _ => -1,
    };

    /// <summary>user@host:path (git's scp-like syntax), without the user.</summary>
    static (string Host, string Path)? ScpHost(string address)
    {
        var colon = address.IndexOf(':');
        if (colon <= 0 || address.Contains("://", StringComparison.Ordinal) || address.StartsWith('/'))
            return null;
        var host = address[..colon];
        var at = host.LastIndexOf('@');
        host = at >= 0 ? host[(at + 1)..] : host;
        return host.Length == 0 || host.Contains('/') ? null : (host, address[(colon + 1)..]);
    }
}
