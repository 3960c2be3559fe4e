using Rad.Contracts;
using Rad.Contracts.Config;

namespace Rad.Cloner;

/// <summary>Reads rad.json from a checkout and checks it against the files that are really there.</summary>
public static class WorkspaceConfig
{
    public static (RadConfig? Config, IReadOnlyList<ApplicationSpec> Applications, string? Error) Read(string checkout, string configPath, string commit)
    {
        var shortCommit = commit[..Math.Min(12, commit.Length)];
        var (path, outside) = CheckoutPath.Resolve(checkout, configPath);
        if (outside is not null)
            return (null, [], $"{configPath} {outside}; it must be a file of the repository");
        if (!File.Exists(path))
            return (null, [], Directory.Exists(path)
                ? $"{configPath} is a folder at commit {shortCommit}; it must be a file (see the rad.json format in README.md)"
                : $"{configPath} was not found in the repository at commit {shortCommit}; add it at that path (see the rad.json format in README.md) or pass configPath");
        var (text, tooLarge) = ReadBounded(path!);
        if (tooLarge)
            return (null, [], $"{configPath} is larger than {MaxConfigBytes / 1024} KiB at commit {shortCommit}; a rad.json is a few KiB");

        var result = RadConfigParser.Parse(text);
        if (!result.IsValid)
            return (null, [], $"{configPath} is invalid: {string.Join("; ", result.Errors)}");

        var problems = new List<string>();
        var applications = new List<ApplicationSpec>();
        for (var i = 0; i < result.Config!.Applications.Count; i++)
        {
            var app = result.Config.Applications[i];
            var context = app.Context == "." ? "" : app.Context;
            var (contextPath, contextOutside) = CheckoutPath.Resolve(checkout, context);
            var (dockerfilePath, dockerfileOutside) = CheckoutPath.Resolve(checkout, app.Dockerfile);
            if (contextOutside is not null)
                problems.Add($"applications[{i}].context '{app.Context}' {contextOutside}");
            else if (dockerfileOutside is not null)
                problems.Add($"applications[{i}].dockerfile '{app.Dockerfile}' {dockerfileOutside}");
            else if (!Directory.Exists(contextPath))
                problems.Add($"applications[{i}].context '{app.Context}' does not exist in the repository at commit {shortCommit}");
            else if (!File.Exists(dockerfilePath))
                problems.Add($"applications[{i}].dockerfile '{app.Dockerfile}' does not exist in the repository at commit {shortCommit}");
            else if (context.Length > 0 && !app.Dockerfile.StartsWith(context + "/", StringComparison.Ordinal)
                     || !dockerfilePath!.StartsWith(contextPath!.TrimEnd('/') + "/", StringComparison.Ordinal))
                problems.Add($"applications[{i}].dockerfile '{app.Dockerfile}' must lie inside its context '{app.Context}'");
            applications.Add(app.ToSpec());
        }
        return problems.Count > 0
            ? (null, [], $"{configPath}: {string.Join("; ", problems)}")
            : (result.Config, applications, null);
    }

    /// <summary>At most this much of rad.json is read.</summary>
    public const int MaxConfigBytes = 1024 * 1024;

    // Reads at most one byte past the limit, whatever the file claims to be.
    static (string Text, bool TooLarge) ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        var buffer = new byte[MaxConfigBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0)
            read += n;
        return read > MaxConfigBytes ? ("", true) : (System.Text.Encoding.UTF8.GetString(buffer, 0, read), false);
    }
}
