using System.Diagnostics;
using Rad.Contracts;

namespace Rad.Cloner;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// The git CLI, for the three things LibGit2Sharp 0.32 cannot do soundly (see README, "Cloning"): shallow fetches
/// (its Commands.Fetch drops FetchOptions.Depth, and libgit2 1.8's shallow request is rejected by git's upload-pack
/// over git://), ssh (its managed API has no key credentials) and checking out big files (libgit2 holds each file
/// whole in memory). Never prompts; credentials reach git through the environment of its process (a credential helper
/// that echoes them), never through its arguments or a file. No system or user configuration applies.
/// </summary>
public sealed class GitCli(GitRemote remote)
{
    const string CredentialHelper = """!f() { test "$1" = get && printf 'username=%s\npassword=%s\n' "$RAD_GIT_USERNAME" "$RAD_GIT_PASSWORD"; }; f""";

    readonly Dictionary<string, string> _environment = new()
    {
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_ASKPASS"] = "/bin/false",
        ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        // A user's credential.helper=store would write the password into a file.
        ["GIT_CONFIG_GLOBAL"] = "/dev/null",
        ["GIT_CONFIG_COUNT"] = remote.Username is null ? "0" : "1",
        ["GIT_CONFIG_KEY_0"] = "credential.helper",
        ["GIT_CONFIG_VALUE_0"] = CredentialHelper,
        ["RAD_GIT_USERNAME"] = remote.Username ?? "",
        ["RAD_GIT_PASSWORD"] = remote.Password ?? "",
    };

    public async Task<IReadOnlyList<AdvertisedRef>> ListRefsAsync(CancellationToken token)
    {
        var lines = (await RunAsync(Path.GetTempPath(), token, "ls-remote", "--symref", "--", remote.Url)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var head = lines.Select(l => l.Split('\t')).FirstOrDefault(f => f is [_, "HEAD"] && f[0].StartsWith("ref: ", StringComparison.Ordinal))?[0][5..];
        return [.. lines.Select(l => l.Split('\t')).Where(f => f.Length == 2 && !f[0].StartsWith("ref: ", StringComparison.Ordinal))
            .Select(f => new AdvertisedRef(f[1], f[0], f[1] == "HEAD" ? head : null))];
    }

    public async Task<string> RunAsync(string directory, CancellationToken token, params string[] arguments)
    {
        var result = await TryRunAsync(directory, token, arguments);
        return result.ExitCode == 0 ? result.StandardOutput : throw Failure(result);
    }

    /// <summary>Runs git with an argument list (no shell); cancelling <paramref name="token"/> kills it.</summary>
    public async Task<ProcessResult> TryRunAsync(string directory, CancellationToken token, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var (name, value) in _environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    public CloneException Failure(ProcessResult result)
    {
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.StartsWith("fatal: ", StringComparison.Ordinal) ? l[7..] : l)
            .Where(l => !l.StartsWith("hint:", StringComparison.Ordinal))
            .TakeLast(3);
        var detail = RepositoryUrl.Redact(string.Join("; ", lines));
        return new CloneException($"git could not clone {remote}: {(detail.Length > 0 ? detail : $"exit code {result.ExitCode}")}");
    }
}
