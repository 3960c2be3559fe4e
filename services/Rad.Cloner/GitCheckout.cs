using System.Text.RegularExpressions;

namespace Rad.Cloner;

public sealed class CloneException(string message) : Exception(message);

/// <summary>Shallow clones of a branch, tag or commit with the git CLI, which (unlike LibGit2Sharp) does shallow fetches.</summary>
public sealed partial class GitCheckout(string repository, TimeSpan timeout)
{
    static readonly Dictionary<string, string> Environment = new()
    {
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_ASKPASS"] = "/bin/false",
        ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
    };

    /// <summary>Checks out <paramref name="gitRef"/> ("HEAD" for the default branch) into <paramref name="directory"/> and returns the commit SHA.</summary>
    public async Task<string> CloneAsync(string gitRef, string directory, CancellationToken token)
    {
        Directory.CreateDirectory(directory);
        if (FullSha().IsMatch(gitRef))
            await FetchCommitAsync(gitRef, directory, token);
        else if (gitRef == "HEAD")
            await GitAsync(directory, token, "clone", "--quiet", "--depth", "1", "--no-tags", "--", repository, ".");
        else
            await CloneBranchOrTagAsync(gitRef, directory, token);
        return (await GitAsync(directory, token, "rev-parse", "HEAD")).Trim();
    }

    async Task CloneBranchOrTagAsync(string gitRef, string directory, CancellationToken token)
    {
        var result = await TryGitAsync(directory, token, "clone", "--quiet", "--depth", "1", "--no-tags", "--branch", gitRef, "--", repository, ".");
        if (result.ExitCode == 0)
            return;
        if (!result.StandardError.Contains("not found in upstream", StringComparison.Ordinal))
            throw Failure(result);
        if (!ShortSha().IsMatch(gitRef))
            throw new CloneException($"ref '{gitRef}' was not found in {RepositoryUrl.Redact(repository)}: it is no branch or tag there (commits are given by their full 40-character SHA)");
        // An abbreviated SHA can only be resolved against the full history.
        Clear(directory);
        await GitAsync(directory, token, "clone", "--quiet", "--no-checkout", "--", repository, ".");
        var resolved = await TryGitAsync(directory, token, "rev-parse", "--verify", "--quiet", gitRef + "^{commit}");
        if (resolved.ExitCode != 0)
            throw new CloneException($"ref '{gitRef}' was not found in {RepositoryUrl.Redact(repository)}: no branch, tag or commit has that name");
        await GitAsync(directory, token, "checkout", "--quiet", "--detach", resolved.StandardOutput.Trim());
    }

    async Task FetchCommitAsync(string sha, string directory, CancellationToken token)
    {
        await GitAsync(directory, token, "init", "--quiet");
        await GitAsync(directory, token, "remote", "add", "origin", repository);
        var shallow = await TryGitAsync(directory, token, "fetch", "--quiet", "--depth", "1", "origin", sha);
        if (shallow.ExitCode != 0)
        {
            // Servers that refuse fetching an unadvertised commit still serve the whole history.
            var full = await TryGitAsync(directory, token, "fetch", "--quiet", "origin");
            if (full.ExitCode != 0)
                throw Failure(full);
            var exists = await TryGitAsync(directory, token, "cat-file", "-e", sha + "^{commit}");
            if (exists.ExitCode != 0)
                throw new CloneException($"commit {sha} was not found in {RepositoryUrl.Redact(repository)}");
            await GitAsync(directory, token, "checkout", "--quiet", "--detach", sha);
            return;
        }
        await GitAsync(directory, token, "checkout", "--quiet", "--detach", "FETCH_HEAD");
    }

    async Task<string> GitAsync(string directory, CancellationToken token, params string[] arguments)
    {
        var result = await TryGitAsync(directory, token, arguments);
        if (result.ExitCode != 0)
            throw Failure(result);
        return result.StandardOutput;
    }

    async Task<ProcessResult> TryGitAsync(string directory, CancellationToken token, params string[] arguments)
    {
        try
        {
            return await ProcessRunner.RunAsync("git", arguments, directory, Environment, timeout, token);
        }
        catch (TimeoutException)
        {
            throw new CloneException($"git {arguments[0]} did not finish within {timeout.TotalSeconds:0} s; is the repository server reachable?");
        }
    }

    CloneException Failure(ProcessResult result)
    {
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.StartsWith("fatal: ", StringComparison.Ordinal) ? l[7..] : l)
            .Where(l => !l.StartsWith("hint:", StringComparison.Ordinal))
            .TakeLast(3);
        var detail = RepositoryUrl.Redact(string.Join("; ", lines));
        return new CloneException($"git could not clone {RepositoryUrl.Redact(repository)}: {(detail.Length > 0 ? detail : $"exit code {result.ExitCode}")}");
    }

    static void Clear(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo d)
                d.Delete(recursive: true);
            else
                entry.Delete();
        }
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex FullSha();

    [GeneratedRegex("^[0-9a-f]{7,39}$")]
    private static partial Regex ShortSha();
}
