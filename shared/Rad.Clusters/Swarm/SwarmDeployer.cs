using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>Creates or updates an application's Swarm service and waits until its replicas run, answer, and are routed by the edge.</summary>
public sealed class SwarmDeployer(
    IDockerClient docker,
    IRequestClient<SyncEdgeRoutes> edge,
    IOptions<DeployerOptions> options,
    ILogger<SwarmDeployer> logger)
{
    static readonly SemaphoreSlim PortClaims = new(1, 1);

    public async Task<DeployResult> DeployAsync(DeployApplication command, IRolloutProgress progress, CancellationToken token)
    {
        var application = command.Application;
        bool changed;
        // Checking a port and claiming it happen under one lock, so two deployments cannot take the same port at once.
        await PortClaims.WaitAsync(token);
        try
        {
            await EnsurePortIsFreeAsync(application, token);
            changed = await CreateOrUpdateAsync(command, token);
        }
        finally
        {
            PortClaims.Release();
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(options.Value.RolloutTimeout);
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var running = await WaitForReplicasAsync(command, limit.Token);
            var rollout = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (application.Replicas > 0)
                await WaitForEdgeAsync(command, running, limit.Token);
            logger.LogInformation("{Application}: replicas running and answering after {RolloutMs:0} ms, routed by the edge after {EdgeMs:0} ms more",
                application.Name, rollout.TotalMilliseconds, (System.Diagnostics.Stopwatch.GetElapsedTime(started) - rollout).TotalMilliseconds);
            return new DeployResult($"http://{options.Value.EdgeHost}:{application.Port}", running.Count, changed);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new DeploymentFailedException(
                $"{application.Name} did not reach {application.Replicas} running, answering replica(s) on container port {application.ContainerPort} within {options.Value.RolloutTimeout.TotalSeconds:0} s");
        }
    }

    async Task EnsurePortIsFreeAsync(ApplicationSpec application, CancellationToken token)
    {
        var owners = await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmServiceSpec.PortLabel}={application.Port}"));
        foreach (var owner in owners)
        {
            var name = owner.Spec?.Labels?.Label(SwarmServiceSpec.ApplicationLabel);
            if (name != application.Name)
                throw new DeploymentFailedException(
                    $"port {application.Port} is already taken by application '{name}' (from {owner.Spec?.Labels?.Label(SwarmServiceSpec.RepositoryLabel)}); give {application.Name} another port in rad.json or remove '{name}'");
        }
        if (owners.Count == 0 && await AnswersAsync(options.Value.EdgeHost, application.Port, token))
            throw new DeploymentFailedException(
                $"port {application.Port} is already in use on {options.Value.EdgeHost} by a process that RAD did not start; give {application.Name} another port in rad.json");
    }

    async Task<bool> CreateOrUpdateAsync(DeployApplication command, CancellationToken token)
    {
        var spec = SwarmServiceSpec.Build(command);
        var existing = await InspectOrNullAsync(command.Application.Name, token);
        if (existing is null)
        {
            await docker.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, token);
            logger.LogInformation("Created service {Service} with {Replicas} replica(s) of {Image} for deployment {DeploymentId}",
                command.Application.Name, command.Application.Replicas, command.ImageReference, command.DeploymentId);
            return true;
        }
        if (SwarmServiceSpec.Matches(existing, command))
        {
            logger.LogInformation("Service {Service} already runs {Image} with {Replicas} replica(s); nothing to roll out for deployment {DeploymentId}",
                command.Application.Name, command.ImageReference, command.Application.Replicas, command.DeploymentId);
            return false;
        }
        await docker.Swarm.UpdateServiceAsync(existing.ID, new ServiceUpdateParameters { Service = spec, Version = (long)existing.Version!.Index!.Value }, token);
        logger.LogInformation("Updated service {Service} to {Replicas} replica(s) of {Image} for deployment {DeploymentId}",
            command.Application.Name, command.Application.Replicas, command.ImageReference, command.DeploymentId);
        return true;
    }

    async Task<SwarmService?> InspectOrNullAsync(string service, CancellationToken token)
    {
        try
        {
            return await docker.Swarm.InspectServiceAsync(service, token);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    async Task<IReadOnlyList<RunningTask>> WaitForReplicasAsync(DeployApplication command, CancellationToken token)
    {
        var application = command.Application;
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        var knownFailures = (await SwarmTasks.FailedAsync(docker, application.Name, token)).Select(f => f.TaskId).ToHashSet();
        while (true)
        {
            var running = await SwarmTasks.RunningAsync(docker, application.Name, command.Network!, token);
            var current = running.Where(t => t.Image == command.ImageReference).ToList();
            if (current.Count == application.Replicas && running.Count == application.Replicas)
            {
                var answering = 0;
                foreach (var task in current)
                    if (await AnswersAsync(task.Address, application.ContainerPort, token))
                        answering++;
                if (answering == current.Count)
                    return current;
            }

            var failures = (await SwarmTasks.FailedAsync(docker, application.Name, token))
                .Where(f => f.Image == command.ImageReference && !knownFailures.Contains(f.TaskId)).ToList();
            if (failures.Count >= options.Value.MaxFailedTasks)
                throw new DeploymentFailedException(
                    $"{application.Name}'s containers keep failing ({failures.Count} failed starts); the engine says: {failures[0].Error}");
            await timer.WaitForNextTickAsync(token);
        }
    }

    async Task WaitForEdgeAsync(DeployApplication command, IReadOnlyList<RunningTask> running, CancellationToken token)
    {
        var expected = running.Select(t => $"{t.Address}:{command.Application.ContainerPort}").Order().ToList();
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        while (true)
        {
            var response = await edge.GetResponse<EdgeRoutesSynced>(
                new SyncEdgeRoutes(command.DeploymentId, command.Application.Name, command.Application.Port), token, RequestTimeout.After(s: 30));
            var routed = response.Message.Backends.Order().ToList();
            if (routed.SequenceEqual(expected) && await AnswersAsync(options.Value.EdgeHost, command.Application.Port, token))
                return;
            logger.LogDebug("Edge routes port {Port} to {Routed}, waiting for {Expected}", command.Application.Port, routed, expected);
            await timer.WaitForNextTickAsync(token);
        }
    }

    static async Task<bool> AnswersAsync(string host, int port, CancellationToken token)
    {
        using var client = new TcpClient();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            await client.ConnectAsync(host, port, attempt.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !token.IsCancellationRequested)
        {
            return false;
        }
    }
}
