using MassTransit;
using Rad.IntegrationTests.Isolated;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>What a test needs from an isolated RAD's broker: publish as any bus client would, and count a queue's messages.</summary>
public static class BrokerProbe
{
    public static async Task PublishAsync(OwnedRabbitMq rabbit, object message)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit.ConfigureHost);
        await bus.StartAsync();
        try
        {
            await bus.Publish(message, message.GetType());
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>The messages waiting in <paramref name="queue"/>; 0 when it does not exist (nothing ever went there).</summary>
    public static async Task<uint> MessagesAsync(OwnedRabbitMq rabbit, string queue)
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = rabbit.Port, UserName = OwnedContainers.User, Password = rabbit.Password };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }
}
