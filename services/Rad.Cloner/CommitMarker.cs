using System.Globalization;
using LibGit2Sharp;

namespace Rad.Cloner;

/// <summary>
/// The file in a finished checkout that says which commit it holds and, on a second line, when that commit was
/// committed (its committer time, ISO 8601). A redelivered command or a cached copy (both without .git) reads both from it.
/// </summary>
public static class CommitMarker
{
    public const string FileName = ".rad-commit";

    public static Task WriteAsync(string checkout, string commit, DateTimeOffset? committedAt, CancellationToken token) =>
        File.WriteAllTextAsync(Path.Combine(checkout, FileName),
            committedAt is { } at ? $"{commit}\n{at.ToString("o", CultureInfo.InvariantCulture)}\n" : commit, token);

    /// <summary>The commit and its time from the marker, or null when the checkout has none.</summary>
    public static (string Commit, DateTimeOffset? CommittedAt)? Read(string checkout)
    {
        var path = Path.Combine(checkout, FileName);
        if (!File.Exists(path))
            return null;
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0)
            return null;
        var at = lines.Length > 1 && DateTimeOffset.TryParse(lines[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
            ? parsed : (DateTimeOffset?)null;
        return (lines[0], at);
    }

    /// <summary>
    /// The committer time of <paramref name="commit"/>: from the checkout's .git when it has one, else from a marker a
    /// cached copy brought along; null when neither knows it.
    /// </summary>
    public static DateTimeOffset? CommittedAt(string checkout, string commit)
    {
        if (Directory.Exists(Path.Combine(checkout, ".git")))
        {
            try
            {
                using var repository = new Repository(checkout);
                return repository.Lookup<Commit>(commit)?.Committer.When;
            }
            catch (LibGit2SharpException)
            {
                return null;
            }
        }
        return Read(checkout) is { } marker && marker.Commit == commit ? marker.CommittedAt : null;
    }
}
