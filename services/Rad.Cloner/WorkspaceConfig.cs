using Rad.Contracts;
using Rad.Contracts.Config;

namespace Rad.Cloner;

/// <summary>Reads rad.json from a checkout and checks it against the files that are really there.</summary>
public static class WorkspaceConfig
{
    public static (RadConfig? Config, IReadOnlyList<ApplicationSpec> Applications, string? Error) Read(string checkout, string configPath, string commit)
    {
        var path = Path.Combine(checkout, configPath);
        var shortCommit = commit[..Math.Min(12, commit.Length)];
        if (!File.Exists(path))
            return (null, [], $"{configPath} was not found in the repository at commit {shortCommit}; add it at that path (see the rad.json format in README.md) or pass configPath");

        var result = RadConfigParser.Parse(File.ReadAllText(path));
        if (!result.IsValid)
            return (null, [], $"{configPath} is invalid: {string.Join("; ", result.Errors)}");

        var problems = new List<string>();
        var applications = new List<ApplicationSpec>();
        for (var i = 0; i < result.Config!.Applications.Count; i++)
        {
            var app = result.Config.Applications[i];
            var context = app.Context == "." ? "" : app.Context;
            if (!Directory.Exists(Path.Combine(checkout, context)))
                problems.Add($"applications[{i}].context '{app.Context}' does not exist in the repository at commit {shortCommit}");
            else if (!File.Exists(Path.Combine(checkout, app.Dockerfile)))
                problems.Add($"applications[{i}].dockerfile '{app.Dockerfile}' does not exist in the repository at commit {shortCommit}");
            else if (context.Length > 0 && !app.Dockerfile.StartsWith(context + "/", StringComparison.Ordinal))
                problems.Add($"applications[{i}].dockerfile '{app.Dockerfile}' must lie inside its context '{app.Context}'");
            applications.Add(app.ToSpec());
        }
        return problems.Count > 0
            ? (null, [], $"{configPath}: {string.Join("; ", problems)}")
            : (result.Config, applications, null);
    }
}
