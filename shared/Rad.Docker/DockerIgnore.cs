using System.Text.RegularExpressions;

namespace Rad.Docker;

/// <summary>A .dockerignore reader covering '*', '**', '?', negation with '!' and comments.</summary>
public sealed class DockerIgnore
{
    readonly List<(Regex Pattern, bool Negated)> _rules;

    DockerIgnore(List<(Regex, bool)> rules) => _rules = rules;

    const long MaxBytes = 1024 * 1024;

    public static DockerIgnore Load(string directory)
    {
        var path = Path.Combine(directory, ".dockerignore");
        var file = new FileInfo(path);
        if (!file.Exists)
            return Parse([]);
        // A link (to a host file, or /dev/zero) or a huge file is no .dockerignore a repository means: refused, not read.
        if (file.LinkTarget is not null)
            throw new InvalidDataException(".dockerignore is a symbolic link; it must be a file of the repository");
        if (file.Length > MaxBytes)
            throw new InvalidDataException($".dockerignore is larger than {MaxBytes / 1024} KiB; a .dockerignore is a few lines");
        return Parse(File.ReadAllLines(path));
    }

    public static DockerIgnore Parse(IEnumerable<string> lines)
    {
        var rules = new List<(Regex, bool)>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var negated = line.StartsWith('!');
            var pattern = (negated ? line[1..] : line).Trim().TrimStart('/').TrimEnd('/');
            if (pattern.Length > 0)
                rules.Add((new Regex("^" + ToRegex(pattern) + "(/.*)?$", RegexOptions.CultureInvariant), negated));
        }
        return new DockerIgnore(rules);
    }

    public bool IsIgnored(string relativePath)
    {
        var ignored = false;
        foreach (var (pattern, negated) in _rules)
            if (pattern.IsMatch(relativePath))
                ignored = !negated;
        return ignored;
    }

    static string ToRegex(string pattern)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                result.Append(".*");
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    i++;
            }
            else if (c == '*')
                result.Append("[^/]*");
            else if (c == '?')
                result.Append("[^/]");
            else
                result.Append(Regex.Escape(c.ToString()));
        }
        return result.ToString();
    }
}
