using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Rad.Contracts.Config;
using Rad.Kubernetes;

namespace Rad.Cli;

/// <summary>
/// rad render --target kubernetes DIR: the manifests RAD applies for the repository checked out in DIR, at its HEAD
/// commit, as one YAML stream, without any cluster. Images are pinned by the digest the registry holds for the commit
/// (as RAD deploys them); an image not pushed yet is shown by its commit tag, with a comment saying so.
/// </summary>
public static class KubernetesRender
{
    public static async Task<string> RenderAsync(string directory, string configPath, string ns, CancellationToken token)
    {
        if (!Directory.Exists(directory))
            throw new CliException($"{directory} is not a directory; give the folder of a git checkout that holds {configPath}");
        var file = Path.Combine(directory, configPath);
        if (!File.Exists(file))
            throw new CliException($"{file} does not exist; give --config PATH when rad.json lies elsewhere in the repository");
        var parsed = RadConfigParser.Parse(await File.ReadAllTextAsync(file, token));
        if (parsed.Config is not { } config)
            throw new CliException($"{configPath} is invalid: {string.Join("; ", parsed.Errors)}");
        var commit = await HeadCommitAsync(directory, token);

        var documents = new List<JsonObject> { Manifests.Namespace(ns) };
        var notes = new List<string>();
        using var registry = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        foreach (var app in config.Applications)
        {
            var spec = app.ToSpec();
            if (Manifests.ProbeProblem(spec) is { } problem)
                throw new CliException($"{configPath}: {problem}");
            var repository = $"{config.Registry.Address}/{app.Name}";
            var digest = await DigestAsync(registry, repository, commit, token);
            if (digest is null)
                notes.Add($"# {repository}:{commit} is not in the registry yet: RAD deploys it as {repository}@<digest it pushes>");
            var image = digest is null ? $"{repository}:{commit}" : $"{repository}@{digest}";
            documents.AddRange(Manifests.Workload(ns, spec, image, commit, pullSecret: null));
        }
        var header = $"# rad render --target kubernetes: {Path.GetFullPath(directory)} at commit {commit}, namespace {ns}\n";
        return header + string.Concat(notes.Select(n => n + "\n")) + ManifestYaml.WriteAll(documents);
    }

    static async Task<string> HeadCommitAsync(string directory, CancellationToken token)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "-C", directory, "rev-parse", "HEAD" } };
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync(token);
        var error = await git.StandardError.ReadToEndAsync(token);
        await git.WaitForExitAsync(token);
        if (git.ExitCode != 0)
            throw new CliException($"{directory} is not a git checkout with a commit (git rev-parse HEAD: {error.Trim()})");
        return output.Trim();
    }

    /// <summary>The registry's digest for REPOSITORY:TAG (Docker Registry HTTP API v2), or null when it has none or cannot be asked.</summary>
    static async Task<string?> DigestAsync(HttpClient http, string repository, string tag, CancellationToken token)
    {
        var slash = repository.IndexOf('/');
        var host = repository[..slash];
        var name = repository[(slash + 1)..];
        var scheme = host.StartsWith("127.", StringComparison.Ordinal) || host.StartsWith("localhost", StringComparison.Ordinal) ? "http" : "https";
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{scheme}://{host}/v2/{name}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        try
        {
            using var response = await http.SendAsync(request, token);
            return response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
