using System.Text.Json;

namespace Rad.Contracts.Config;

/// <summary>Strict JSON objects: every field RAD does not know is named, with the known one it most likely meant.</summary>
public static class KnownFields
{
    /// <summary>Adds "PREFIXNAME is not a known field (did you mean X?)" for every field of <paramref name="element"/> not in <paramref name="known"/>.</summary>
    public static void Reject(JsonElement element, string prefix, string[] known, List<string> errors)
    {
        foreach (var (name, problem) in Unknown(element, known))
            errors.Add($"{prefix}{name} {problem}");
    }

    /// <summary>Each unknown field's name (shortened when long) and what is wrong with it, with a hint when one looks alike.</summary>
    public static IEnumerable<(string Name, string Problem)> Unknown(JsonElement element, string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (known.Contains(property.Name, StringComparer.Ordinal))
                continue;
            var name = Excerpt.Of(property.Name, MaxShownName);
            var hint = property.Name.Length > MaxShownName ? null : known.FirstOrDefault(k => LooksLike(k, property.Name));
            yield return (name, hint is null
                ? $"is not a known field (known: {string.Join(", ", known)})"
                : $"is not a known field (did you mean {hint}?)");
        }
    }

    const int MaxShownName = 64;

    // "replicas" for replica_count, "applicationName" for application_name: same letters up to a long shared start.
    static bool LooksLike(string known, string given)
    {
        var a = known.Replace("_", "").ToLowerInvariant();
        var b = given.Replace("_", "").Replace("-", "").ToLowerInvariant();
        var shared = 0;
        while (shared < Math.Min(a.Length, b.Length) && a[shared] == b[shared])
            shared++;
        return shared == Math.Min(a.Length, b.Length) || shared >= 5 || EditDistance(a, b) <= 2;
    }

    // "sucesses" for successes: two letters off or fewer.
    static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
