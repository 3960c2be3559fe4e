using System.Security.Cryptography;
using System.Text;
using Rad.Contracts;

namespace Rad.Status.Queue;

/// <summary>
/// Deployments of the same repository to the same cluster share one queue. The key ignores credentials, letter case in
/// the host, a trailing ".git" or "/", so https://token@host/Org/App.git and https://host/Org/App name the same queue.
/// </summary>
public static class DeploymentQueueKey
{
    public static (Guid Id, string Key) For(string repository, string cluster)
    {
        var key = $"{Normalize(repository)} -> {cluster}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return (new Guid(hash.AsSpan(0, 16)), key);
    }

    static string Normalize(string repository)
    {
        var url = Redaction.Credentials(repository).Trim();
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
            url = $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}{uri.AbsolutePath}";
        url = url.TrimEnd('/');
        return url.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? url[..^4] : url;
    }
}
