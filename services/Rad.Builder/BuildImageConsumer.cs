using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Builder;

/// <summary>
/// Builds one application's image, tagged with the commit, and pushes it. The registry is the record of what was
/// built: a command whose image:commit is already there (a redelivery, a redeploy of the same commit) builds nothing.
/// </summary>
public sealed class BuildImageConsumer(ImageBuilder builder, IOptions<RegistryCredentials> credentials, ILogger<BuildImageConsumer> logger)
    : IConsumer<BuildImage>
{
    static readonly ConcurrentDictionary<string, SemaphoreSlim> InFlight = new();

    public async Task Consume(ConsumeContext<BuildImage> context)
    {
        var command = context.Message;
        var application = command.Application;
        var image = $"{command.RegistryAddress}/{application.Name}";
        var tag = command.Commit;
        if (credentials.Value.PushProblem(image) is { } refused)
        {
            logger.LogWarning("Build of {Application} refused for deployment {DeploymentId}: {Reason}", application.Name, command.DeploymentId, refused);
            await context.Publish(new ImageBuildFailed(command.DeploymentId, application.Name, refused));
            BuildMetrics.Count(BuildMetrics.Failed);
            return;
        }
        var auth = credentials.Value.PushAuth(image);

        // Two deliveries of the same build in this process take turns; the second then finds the pushed image.
        var gate = InFlight.GetOrAdd($"{image}:{tag}", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(context.CancellationToken);
        try
        {
            if (await builder.RegistryDigestAsync(image, tag, auth, context.CancellationToken) is { } existing)
            {
                logger.LogInformation("{Image}:{Tag} is already in the registry as {Digest}; not building it again for deployment {DeploymentId}",
                    image, tag, existing, command.DeploymentId);
                await context.Publish(new ImageBuilt(command.DeploymentId, application.Name, image, existing, Reused: true));
                BuildMetrics.Count(BuildMetrics.Reused);
                return;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var contextDirectory = application.Context == "." ? command.WorkspacePath : Path.Combine(command.WorkspacePath, application.Context);
            var dockerfile = Path.GetRelativePath(contextDirectory, Path.Combine(command.WorkspacePath, application.Dockerfile)).Replace('\\', '/');
            // Each label is one more build step in the engine's classic builder; the commit is the one worth its cost.
            var labels = new Dictionary<string, string> { ["org.opencontainers.image.revision"] = command.Commit };
            await builder.BuildAsync(contextDirectory, dockerfile, $"{image}:{tag}", labels, context.CancellationToken);
            var built = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var digest = await builder.PushAsync(image, tag, auth, context.CancellationToken);
            logger.LogInformation("Built {Image}:{Tag} in {BuildMs:0} ms and pushed it as {Digest} in {PushMs:0} ms for deployment {DeploymentId}",
                image, tag, built.TotalMilliseconds, digest, (System.Diagnostics.Stopwatch.GetElapsedTime(started) - built).TotalMilliseconds,
                command.DeploymentId);
            await context.Publish(new ImageBuilt(command.DeploymentId, application.Name, image, digest, Reused: false));
            BuildMetrics.BuildDuration.Observe(built.TotalSeconds);
            BuildMetrics.PushDuration.Observe((System.Diagnostics.Stopwatch.GetElapsedTime(started) - built).TotalSeconds);
            BuildMetrics.Count(BuildMetrics.Built);
        }
        catch (BuildFailedException e)
        {
            logger.LogWarning("Build of {Application} failed for deployment {DeploymentId}: {Reason}", application.Name, command.DeploymentId, e.Message);
            await context.Publish(new ImageBuildFailed(command.DeploymentId, application.Name, e.Message));
            BuildMetrics.Count(BuildMetrics.Failed);
        }
        catch (DirectoryNotFoundException)
        {
            await context.Publish(new ImageBuildFailed(command.DeploymentId, application.Name,
                $"the checkout {command.WorkspacePath} is gone; the builder must share the cloner's workspace folder (Rad__Workspace)"));
            BuildMetrics.Count(BuildMetrics.Failed);
        }
        finally
        {
            gate.Release();
        }
    }
}
