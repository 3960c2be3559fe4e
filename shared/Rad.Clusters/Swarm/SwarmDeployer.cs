using System.Net.Sockets;
using Docker.DotNet;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>
/// Deploys an application to the local Swarm by its rollout strategy (see <see cref="SwarmRollout"/>): one rollout per
/// application at a time, and the application's port checked and claimed under one lock.
/// </summary>
public sealed class SwarmDeployer(
    IDockerClient docker,
    SwarmSlotServices services,
    SwarmEdge edge,
    ApplicationLocks locks,
    IOptions<DeployerOptions> options,
    ILogger<SwarmDeployer> logger)
{
    static readonly SemaphoreSlim PortClaims = new(1, 1);

    public async Task<DeployResult> DeployAsync(DeployApplication command, IRolloutProgress progress, CancellationToken token)
    {
        using var held = await locks.AcquireAsync(command.Application.Name, token);
        var rollout = new SwarmRollout(command, progress, services, edge, options.Value, logger);
        // Checking a port and claiming it happen under one lock, so two deployments cannot take the same port at once.
        await PortClaims.WaitAsync(token);
        try
        {
            await EnsurePortIsFreeAsync(command.Application, token);
            await rollout.PlanAsync(token);
        }
        finally
        {
            PortClaims.Release();
        }
        return await rollout.RunAsync(token);
    }

    async Task EnsurePortIsFreeAsync(ApplicationSpec application, CancellationToken token)
    {
        if (PortPolicy.Problem(application.Port, options.Value.AllowedPorts) is { } refused)
            throw new DeploymentFailedException(refused);
        var owners = await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmSlot.PortLabel}={application.Port}"));
        foreach (var owner in owners)
        {
            var name = owner.Spec?.Labels?.Label(SwarmSlot.ApplicationLabel);
            if (name != application.Name)
                throw new DeploymentFailedException(
                    $"port {application.Port} is already taken by application '{name}' (from {owner.Spec?.Labels?.Label(SwarmSlot.RepositoryLabel)}); give {application.Name} another port in rad.json or remove '{name}'");
        }
        if (owners.Count == 0 && await AnswersAsync(options.Value.EdgeHost, application.Port, token))
            throw new DeploymentFailedException(
                $"port {application.Port} is already in use on {options.Value.EdgeHost} by a process that RAD did not start; give {application.Name} another port in rad.json");
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
