using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>Keeps credentials out of everything RAD shows or logs: status, stage messages, errors, labels.</summary>
public static partial class Redaction
{
    /// <summary>Replaces the user:token part of every URL in <paramref name="text"/> (a URL, or git's output quoting one) with ***.</summary>
    public static string Credentials(string text) => UrlCredentials().Replace(text, "$1***@");

    [GeneratedRegex(@"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex UrlCredentials();
}
