using MassTransit;
using Rad.Contracts;

namespace Rad.Cli;

/// <summary>deploy --bus: publishes RequestDeployment on RabbitMQ exactly as another service would, instead of calling HTTP.</summary>
public static class BusDeploy
{
    public static async Task<Guid> PublishAsync(Uri rabbitMq, RequestDeployment request, CancellationToken token)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(rabbitMq));
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(token);
        startup.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await bus.StartAsync(startup.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            throw new CliException($"cannot reach RabbitMQ at {Redaction.Credentials(rabbitMq.ToString())}: {e.Message}. Give its address with --rabbitmq or RAD_RABBITMQ.");
        }
        try
        {
            await bus.Publish(request, token);
            return request.DeploymentId;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }
}
