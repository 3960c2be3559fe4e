using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Rad.Builder;

/// <summary>
/// Before the service reports healthy: one build the way a deployment makes it (its context streamed as a tar, the
/// engine's progress read), of a one-file image FROM scratch in a scratch folder, then that image removed. The first
/// build after a start then does not compile that path while the deployment waits (it took 0.65 s against 0.49 s for
/// the next one). Nothing is pushed; bounded, and a missing engine only ends it early.
/// </summary>
public sealed class BuilderWarmup(ImageBuilder builder, IDockerClient docker, ILogger<BuilderWarmup> logger) : IHostedService
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        var watch = Stopwatch.StartNew();
        var tag = $"rad-warmup/builder:{Environment.ProcessId}";
        string? scratch = null;
        try
        {
            scratch = Directory.CreateTempSubdirectory("rad-builder-warmup-").FullName;
            await File.WriteAllTextAsync(Path.Combine(scratch, "Dockerfile"), "FROM scratch\nCOPY warmup.txt /\n", limit.Token);
            await File.WriteAllTextAsync(Path.Combine(scratch, "warmup.txt"), "RAD builder warm-up\n", limit.Token);
            await builder.BuildAsync("rad-warmup", scratch, "Dockerfile", tag, limit.Token);
            await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true }, limit.Token);
            logger.LogInformation("Builder warmed up with a build of a scratch image in {ElapsedMs:0} ms", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A warm-up never stops the start (no engine yet, a full disk...): the first real build says what is wrong.
            logger.LogWarning("Builder warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
        finally
        {
            try
            {
                if (scratch is not null)
                    Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
