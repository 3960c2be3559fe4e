using System.Text.Json.Nodes;
using Rad.Docker;

namespace Rad.Builder;

/// <summary>docker build and docker push through the Engine API, keeping what a user needs to see when they fail.</summary>
public sealed class ImageBuilder(DockerClient docker, ILogger<ImageBuilder> logger)
{
    const int TailLines = 15;

    /// <summary>The digest the registry holds for image:tag, or null when it holds none.</summary>
    public async Task<string?> RegistryDigestAsync(string image, string tag, Dictionary<string, string> auth, CancellationToken token)
    {
        try
        {
            var info = await docker.GetObjectAsync($"/distribution/{image}:{tag}/json", token, auth);
            return info["Descriptor"]?["digest"]?.GetValue<string>();
        }
        catch (DockerApiException e)
        {
            logger.LogDebug("Registry has no {Image}:{Tag} ({Reason})", image, tag, e.EngineMessage);
            return null;
        }
    }

    public async Task BuildAsync(string contextDirectory, string dockerfile, string imageTag, IDictionary<string, string> labels, CancellationToken token)
    {
        using var tar = await BuildContext.PackAsync(contextDirectory, token);
        var query = DockerClient.Query(
            ("t", imageTag),
            ("dockerfile", dockerfile),
            ("rm", "1"),
            ("forcerm", "1"),
            ("labels", new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))).ToJsonString()));
        var content = new StreamContent(tar);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");

        var tail = new Queue<string>();
        string? step = null;
        await foreach (var item in docker.StreamAsync(HttpMethod.Post, "/build?" + query, content, null, token))
        {
            if (item["stream"]?.GetValue<string>() is { } text)
            {
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    // What a user needs is the failing step's own output, not the engine's bookkeeping around it.
                    if (line.StartsWith("Step ", StringComparison.Ordinal))
                    {
                        step = line;
                        tail.Clear();
                        continue;
                    }
                    if (line.StartsWith("--->", StringComparison.Ordinal) || line.StartsWith("Removing intermediate container", StringComparison.Ordinal))
                        continue;
                    tail.Enqueue(line);
                    if (tail.Count > TailLines)
                        tail.Dequeue();
                }
            }
            if (ErrorOf(item) is { } error)
            {
                var where = step is null ? "before the first step" : $"at {step}";
                var output = string.Join(" | ", tail);
                throw new BuildFailedException($"docker build of {dockerfile} failed {where}: {error.Trim()}" +
                                               (output.Length > 0 ? $". Last output: {output}" : ""));
            }
        }
    }

    public async Task<string> PushAsync(string image, string tag, Dictionary<string, string> auth, CancellationToken token)
    {
        string? digest = null;
        try
        {
            await foreach (var item in docker.StreamAsync(HttpMethod.Post, $"/images/{image}/push?tag={Uri.EscapeDataString(tag)}", null, auth, token))
            {
                if (ErrorOf(item) is { } error)
                    throw new BuildFailedException($"push of {image}:{tag} failed: {error.Trim()}");
                if (item["aux"]?["Digest"]?.GetValue<string>() is { } pushed)
                    digest = pushed;
            }
        }
        catch (DockerApiException e)
        {
            throw new BuildFailedException($"push of {image}:{tag} failed: {e.EngineMessage}");
        }
        return digest ?? throw new BuildFailedException($"push of {image}:{tag} finished without the registry reporting a digest");
    }

    static string? ErrorOf(JsonObject item) =>
        item["errorDetail"]?["message"]?.GetValue<string>() ?? item["error"]?.GetValue<string>();
}
