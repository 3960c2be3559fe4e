using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Builder;

/// <summary>
/// Builds one application's image, tagged with the commit, and pushes it. The registry is the record of what was
/// built: a command whose image:commit is already there (a redelivery, a redeploy of the same commit) builds nothing.
/// A build and its push together get Rad:Builder:BuildTimeout; a build whose deployment ended stops (or never starts).
/// </summary>
public sealed class BuildImageConsumer(ImageBuilder builder, DeploymentBuilds builds, IOptions<RegistryCredentials> credentials,
    IOptions<BuilderOptions> options, ILogger<BuildImageConsumer> logger)
    : IConsumer<BuildImage>
{
    static readonly ConcurrentDictionary<string, SemaphoreSlim> InFlight = new();

    public async Task Consume(ConsumeContext<BuildImage> context)
    {
        var command = context.Message;
        var application = command.Application;
        using var build = builds.Begin(command.DeploymentId, context.CancellationToken);
        if (build is null)
        {
            logger.LogInformation("Not building {Application}: deployment {DeploymentId} has ended", application.Name, command.DeploymentId);
            BuildMetrics.Count(BuildMetrics.Cancelled);
            return;
        }
        var timeout = options.Value.BuildTimeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(build.Token);
        limit.CancelAfter(timeout);
        var token = limit.Token;
        var phase = "while waiting for another delivery of the same build";
        try
        {
            await BuildAndPushAsync(context, token, now => phase = now);
        }
        catch (Exception e) when (token.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            if (build.Token.IsCancellationRequested)
            {
                logger.LogInformation("Stopped the build of {Application} {Phase}: deployment {DeploymentId} has ended", application.Name, phase, command.DeploymentId);
                BuildMetrics.Count(BuildMetrics.Cancelled);
                return;
            }
            var where = e is BuildStoppedException stopped ? stopped.Where : phase;
            var reason = $"build of application {application.Name} exceeded {BuilderOptions.Describe(timeout)} {where}; it was stopped " +
                         $"(the limit is {BuilderOptions.BuildTimeoutSetting})";
            logger.LogWarning("Build of {Application} failed for deployment {DeploymentId}: {Reason}", application.Name, command.DeploymentId, reason);
            await context.Publish(new ImageBuildFailed(command.DeploymentId, application.Name, reason));
            BuildMetrics.Count(BuildMetrics.Failed);
        }
    }

    async Task BuildAndPushAsync(ConsumeContext<BuildImage> context, CancellationToken token, Action<string> phase)
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
        await gate.WaitAsync(token);
        try
        {
            phase("while asking the registry for the image");
            if (await builder.RegistryDigestAsync(image, tag, auth, token) is { } existing)
            {
                logger.LogInformation("{Image}:{Tag} is already in the registry as {Digest}; not building it again for deployment {DeploymentId}",
                    image, tag, existing, command.DeploymentId);
                await context.Publish(new ImageBuilt(command.DeploymentId, application.Name, image, existing, Reused: true));
                BuildMetrics.Count(BuildMetrics.Reused);
                return;
            }

            phase("while building");
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var contextDirectory = application.Context == "." ? command.WorkspacePath : Path.Combine(command.WorkspacePath, application.Context);
            var dockerfile = Path.GetRelativePath(contextDirectory, Path.Combine(command.WorkspacePath, application.Dockerfile)).Replace('\\', '/');
            // No labels: the engine's classic builder runs each as one more step (a container created and committed),
            // which made 4 builds at once 15-20% slower here; the tag already names the commit.
            await builder.BuildAsync(application.Name, contextDirectory, dockerfile, $"{image}:{tag}", token);
            var built = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            phase($"while pushing {image}:{tag}");
            var digest = await builder.PushAsync(image, tag, auth, token);
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
