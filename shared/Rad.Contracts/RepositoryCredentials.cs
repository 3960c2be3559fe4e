using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>
/// The credentials part of a repository address (https://user:token@host/...), taken out before the address is stored,
/// sent or shown, and put back only inside the cloner. An ssh address keeps its user name (part of the address; ssh
/// authenticates with keys and never uses a password in it), so only a password is taken out, and dropped.
/// </summary>
public static partial class RepositoryCredentials
{
    /// <summary>The Data Protection purpose of sealed repository credentials.</summary>
    public const string Purpose = "Rad.Repositories.Credentials.v1";

    /// <summary>The address without credentials, and the credentials as the address wrote them ("user:token"), or null.</summary>
    public static (string Repository, string? UserInfo) Split(string repository)
    {
        var match = UserInfo().Match(repository);
        if (!match.Success)
            return (repository, null);
        var (scheme, rest) = (match.Groups["scheme"].Value, repository[match.Length..]);
        if (scheme.StartsWith("ssh", StringComparison.OrdinalIgnoreCase))
            return (match.Groups["user"].Value.Length == 0 ? scheme + rest : $"{scheme}{match.Groups["user"].Value}@{rest}", null);
        return (scheme + rest, repository[scheme.Length..(match.Length - 1)]);
    }

    /// <summary>The address with <paramref name="userInfo"/> put back (the cloner's, in memory only).</summary>
    public static string Join(string repository, string? userInfo)
    {
        var scheme = repository.IndexOf("://", StringComparison.Ordinal);
        return userInfo is null || scheme < 0 ? repository : $"{repository[..(scheme + 3)]}{userInfo}@{repository[(scheme + 3)..]}";
    }

    // Anchored and without nested quantifiers: linear in the address's length.
    [GeneratedRegex(@"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?<user>[^/@:]*)(:(?<password>[^/@]*))?@")]
    private static partial Regex UserInfo();
}
