using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Builder;

/// <summary>docker build and docker push through the Engine API, keeping what a user needs to see when they fail.</summary>
public sealed class ImageBuilder(IDockerClient docker, RegistryInspector registry, IOptions<BuilderOptions> options, ILogger<ImageBuilder> logger)
{
    const int TailLines = 15;

    /// <summary>The digest the registry holds for image:tag, or null when it holds none.</summary>
    public async Task<string?> RegistryDigestAsync(string image, string tag, AuthConfig auth, CancellationToken token)
    {
        var (digest, problem) = await registry.DigestAsync($"{image}:{tag}", auth, token);
        if (problem is not null)
            logger.LogDebug("Registry has no {Image}:{Tag} ({Reason})", image, tag, problem);
        return digest;
    }

    /// <summary>
    /// Builds <paramref name="imageTag"/> from the context folder, streaming its tar to the engine as it is read (never
    /// whole in memory); a context over Rad:Builder:MaxContextBytes fails the build naming the application and the size.
    /// </summary>
    public async Task BuildAsync(string application, string contextDirectory, string dockerfile, string imageTag, CancellationToken token)
    {
        var limit = options.Value.MaxContextBytes;
        long files;
        try
        {
            files = BuildContext.FileBytes(contextDirectory);
        }
        catch (InvalidDataException e)
        {
            throw new BuildFailedException(e.Message);
        }
        // The files' sizes alone, before the tar's headers: a context this large is refused before anything is sent.
        if (files > limit)
            throw TooLarge(application, $"holds {Bytes.Describe(files)} ({files} bytes) of files", limit);

        var output = new BuildOutput();
        var parameters = new ImageBuildParameters
        {
            Tags = [imageTag],
            Dockerfile = dockerfile,
            Remove = true,
            ForceRemove = true,
        };
        await using var context = StreamedBuildContext.Start(contextDirectory, limit, token);
        try
        {
            await docker.Images.BuildImageFromDockerfileAsync(parameters, context.Tar, null, null, output, token);
        }
        catch (Exception e) when (token.IsCancellationRequested)
        {
            throw new BuildStoppedException(output.Step is null ? "while sending the build context" : $"at {output.Step}", e, token);
        }
        catch (Exception e)
        {
            // The engine's request fails when packing does (the tar stream throws); packing's reason is the one to tell.
            switch (await context.StopAsync())
            {
                case BuildContextTooLargeException tooLarge:
                    throw TooLarge(application, $"reached {Bytes.Describe(tooLarge.Reached)} ({tooLarge.Reached} bytes) at {tooLarge.At}", limit);
                case InvalidDataException invalid:
                    throw new BuildFailedException(invalid.Message);
                case { } packing:
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(packing);
                    break;
            }
            if (e is DockerApiException api)
                throw new BuildFailedException($"docker build of {dockerfile} failed: {api.EngineMessage()}");
            throw;
        }
        if (output.Error is { } error)
        {
            var where = output.Step is null ? "before the first step" : $"at {output.Step}";
            var tail = string.Join(" | ", output.Tail);
            throw new BuildFailedException($"docker build of {dockerfile} failed {where}: {PlainText.WithoutTerminalCodes(error).Trim()}" + (tail.Length > 0 ? $". Last output: {tail}" : ""));
        }
    }

    static BuildFailedException TooLarge(string application, string size, long limit) =>
        new($"the build context of application {application} {size}, over the limit of {Bytes.Describe(limit)} ({limit} bytes) set by " +
            $"{BuilderOptions.MaxContextBytesSetting}; leave files out with a .dockerignore, or raise the limit");

    public async Task<string> PushAsync(string image, string tag, AuthConfig auth, CancellationToken token)
    {
        string? digest = null;
        string? error = null;
        var progress = new Observer(message =>
        {
            error ??= message.Error?.Message;
            if (message.Aux?.ExtensionData?.TryGetValue("Digest", out var pushed) == true && pushed is JsonElement { ValueKind: JsonValueKind.String } text)
                digest = text.GetString();
        });
        try
        {
            await docker.Images.PushImageAsync(image, new ImagePushParameters { Tag = tag }, auth, progress, token);
        }
        catch (DockerApiException e)
        {
            throw new BuildFailedException($"push of {image}:{tag} failed: {e.EngineMessage()}");
        }
        if (error is not null)
            throw new BuildFailedException($"push of {image}:{tag} failed: {error.Trim()}");
        return digest ?? throw new BuildFailedException($"push of {image}:{tag} finished without the registry reporting a digest");
    }

    /// <summary>Keeps the current build step and the last lines of its own output: what a user needs when the step fails.</summary>
    sealed class BuildOutput : IProgress<JSONMessage>
    {
        readonly Queue<string> _tail = new();

        public string? Step { get; private set; }
        public string? Error { get; private set; }
        public IEnumerable<string> Tail => _tail;

        public void Report(JSONMessage value)
        {
            Error ??= value.Error?.Message;
            foreach (var raw in (value.Stream ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var line = PlainText.WithoutTerminalCodes(raw).Trim();
                if (line.Length == 0)
                    continue;
                // What a user needs is the failing step's own output, not the engine's bookkeeping around it.
                if (line.StartsWith("Step ", StringComparison.Ordinal))
                {
                    Step = line;
                    _tail.Clear();
                    continue;
                }
                if (line.StartsWith("--->", StringComparison.Ordinal) || line.StartsWith("Removing intermediate container", StringComparison.Ordinal))
                    continue;
                _tail.Enqueue(line);
                if (_tail.Count > TailLines)
                    _tail.Dequeue();
            }
        }
    }

    /// <summary>Runs on the thread that reads the engine's stream, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class Observer(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}
