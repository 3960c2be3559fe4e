namespace Rad.Contracts;

/// <summary>A value as an error message quotes it: whole when short, else its start and "...", so a hostile size never fills an answer.</summary>
public static class Excerpt
{
    public static string Of(string text, int max) => text.Length > max ? text[..max] + "..." : text;
}
