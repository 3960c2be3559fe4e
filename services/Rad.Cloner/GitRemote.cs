using System.Text.RegularExpressions;
using Rad.Contracts;

namespace Rad.Cloner;

/// <summary>
/// A repository address split into what may be stored and shown (<see cref="Url"/> carries no password, so neither
/// .git/config nor any message does) and the credentials that are handed to git only when the server asks.
/// </summary>
public sealed partial record GitRemote(string Url, string Display, string? Username, string? Password, bool UsesSsh)
{
    public static GitRemote Parse(string repository, IEnumerable<GitCredential> configured)
    {
        var display = RepositoryUrl.Redact(repository);
        if (!Uri.TryCreate(repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "ssh" or "git"))
            return new GitRemote(repository, display, null, null, UsesSsh: !repository.StartsWith('/') && !repository.StartsWith("file:", StringComparison.Ordinal));

        var userInfo = UserInfo().Match(repository);
        var (scheme, rest) = userInfo.Success ? (userInfo.Groups["scheme"].Value, repository[userInfo.Length..]) : ("", repository);
        if (uri.Scheme == "ssh")
            // ssh authenticates with the system's keys: a user name is part of the address, a password is never used.
            return new GitRemote(userInfo.Success ? $"{scheme}{userInfo.Groups["user"].Value}@{rest}" : repository, display, null, null, UsesSsh: true);

        var user = userInfo.Success ? Uri.UnescapeDataString(userInfo.Groups["user"].Value) : null;
        var password = userInfo.Groups["password"].Success ? Uri.UnescapeDataString(userInfo.Groups["password"].Value) : "";
        if (user is null && uri.Scheme is "https" or "http" && configured.FirstOrDefault(c =>
                string.Equals(c.Host, uri.Authority, StringComparison.OrdinalIgnoreCase) || string.Equals(c.Host, uri.Host, StringComparison.OrdinalIgnoreCase)) is { } login)
            (user, password) = (login.Username, login.Password);
        return new GitRemote(scheme + rest, display, user, user is null ? null : password, UsesSsh: false);
    }

    public override string ToString() => Display;

    [GeneratedRegex(@"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?<user>[^/@:]*)(:(?<password>[^/@]*))?@")]
    private static partial Regex UserInfo();
}
