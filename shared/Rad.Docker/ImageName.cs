namespace Rad.Docker;

/// <summary>An image reference split as the engine does: registry host (docker.io when the first part names none) and repository path, without tag or digest.</summary>
public sealed record ImageName(string Host, string Path)
{
    public const string DockerHub = "docker.io";

    public static ImageName Parse(string image)
    {
        var name = image.Split('@')[0];
        var slash = name.IndexOf('/');
        var first = slash < 0 ? "" : name[..slash];
        var hasHost = first.Contains('.') || first.Contains(':') || first == "localhost";
        var host = hasHost ? first : DockerHub;
        var path = hasHost ? name[(slash + 1)..] : name;
        var lastSlash = path.LastIndexOf('/');
        var colon = path.LastIndexOf(':');
        if (colon > lastSlash)
            path = path[..colon];
        if (!hasHost && !path.Contains('/'))
            path = "library/" + path;
        return new ImageName(host, path);
    }

    public bool IsOnHost(string host) => string.Equals(Host, host.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the path lies under <paramref name="prefix"/>, whole path segments only.</summary>
    public bool IsUnder(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim('/');
        return trimmed.Length == 0 || Path == trimmed || Path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }
}
