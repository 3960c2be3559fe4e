using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>
/// RFC 1123 labels (1-63 lowercase letters, digits or '-', starting and ending with a letter or digit): what RAD
/// accepts as application and cluster names, since they become Swarm service, Kubernetes object and queue names.
/// </summary>
public static partial class DnsLabel
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Pattern();
}
