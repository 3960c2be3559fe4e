using Docker.DotNet.Models;

namespace Rad.Docker;

/// <summary>
/// Registry credentials, each bound to a host and a path prefix of its repositories, and to what it may do there
/// (configuration: Rad__Registries__N__Host, __PathPrefix, __Username, __Password, __Access=push|pull). An image gets the
/// entry of its host with the longest prefix covering its path, of the access asked for; no entry, no credentials. So a
/// rad.json cannot point RAD's push credentials at another team's repositories, and only read-only pull credentials
/// ever leave RAD (as Kubernetes pull secrets). Never logged.
/// </summary>
public sealed class RegistryCredentials
{
    public List<RegistryLogin> Registries { get; set; } = [];

    /// <summary>The login to push (and look up before building) <paramref name="image"/>, or null.</summary>
    public RegistryLogin? Push(string image) => Find(image, RegistryAccess.Push);

    /// <summary>The read-only login to pull <paramref name="image"/> (name[:tag][@digest]), or null.</summary>
    public RegistryLogin? Pull(string image) => Find(image, RegistryAccess.Pull);

    /// <summary>
    /// Why <paramref name="image"/> may not be pushed with RAD's credentials: its host has push credentials, but for other
    /// paths only. Null when a login covers it or its host has none (an anonymous push, as without any credentials).
    /// </summary>
    public string? PushProblem(string image)
    {
        var reference = ImageName.Parse(image);
        var onHost = Registries.Where(r => r.Access == RegistryAccess.Push && reference.IsOnHost(r.Host)).ToList();
        if (onHost.Count == 0 || onHost.Any(r => reference.IsUnder(r.PathPrefix)))
            return null;
        var prefixes = string.Join(", ", onHost.Select(r => r.Prefix.Length == 0 ? "/" : r.Prefix + "/").Distinct().Order(StringComparer.Ordinal));
        return $"registry.address puts {reference.Host}/{reference.Path} outside the repositories RAD may push to on {reference.Host} ({prefixes}): "
               + $"use a registry.address under one of them in rad.json, or an operator adds credentials for it (Rad__Registries__N__PathPrefix)";
    }

    /// <summary>What the engine needs to push <paramref name="image"/>: the push login covering it, or anonymous.</summary>
    public AuthConfig PushAuth(string image) => Auth(Push(image));

    /// <summary>What the engine needs to read <paramref name="image"/>: the pull login covering it, else the push one, else anonymous.</summary>
    public AuthConfig ReadAuth(string image) => Auth(Pull(image) ?? Push(image));

    static AuthConfig Auth(RegistryLogin? login) =>
        login is null ? new AuthConfig() : new AuthConfig { Username = login.Username, Password = login.Password, ServerAddress = login.Host };

    RegistryLogin? Find(string image, string access)
    {
        var reference = ImageName.Parse(image);
        return Registries
            .Where(r => r.Access == access && reference.IsOnHost(r.Host) && reference.IsUnder(r.PathPrefix))
            .OrderByDescending(r => r.Prefix.Length)
            .FirstOrDefault();
    }
}

public static class RegistryAccess
{
    public const string Push = "push";
    public const string Pull = "pull";
}

public sealed class RegistryLogin
{
    public string Host { get; set; } = "";

    /// <summary>The repositories this login covers: a path prefix on <see cref="Host"/> ("team-a" covers team-a/web, not team-ab/web); "/" for all.</summary>
    public string? PathPrefix { get; set; }

    public string Username { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary><see cref="RegistryAccess.Push"/> (the builder) or <see cref="RegistryAccess.Pull"/> (read-only: pull secrets, registry lookups).</summary>
    public string Access { get; set; } = "";

    /// <summary>The host-only form of before path prefixes; refused at start-up with how to migrate (see <see cref="RegistryCredentialsValidation"/>).</summary>
    public string? Server { get; set; }

    public string Prefix => (PathPrefix ?? "").Trim('/');

    public override string ToString() => $"{Username}@{Host}/{Prefix} ({Access})";
}
