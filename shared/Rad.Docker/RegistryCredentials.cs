using Docker.DotNet.Models;

namespace Rad.Docker;

/// <summary>Credentials per registry host, from configuration (Rad__Registries__0__Server=..., __Username, __Password). Never logged.</summary>
public sealed class RegistryCredentials
{
    public List<RegistryLogin> Registries { get; set; } = [];

    public RegistryLogin? For(string image)
    {
        var host = image.Contains('/') && (image.Split('/')[0].Contains('.') || image.Split('/')[0].Contains(':'))
            ? image.Split('/')[0]
            : "docker.io";
        return Registries.FirstOrDefault(r => string.Equals(r.Server, host, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>What the engine needs to push or inspect <paramref name="image"/>: the matching login, or anonymous.</summary>
    public AuthConfig AuthFor(string image) =>
        For(image) is { } login ? new AuthConfig { Username = login.Username, Password = login.Password, ServerAddress = login.Server } : new AuthConfig();
}

public sealed class RegistryLogin
{
    public string Server { get; set; } = "";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";

    public override string ToString() => $"{Username}@{Server}";
}
