using MassTransit;
using Testcontainers.RabbitMq;
using Xunit;

namespace Rad.IntegrationTests.Isolated;

/// <summary>A throwaway RabbitMQ that the test may stop, restart or pause; it keeps its host port across restarts.</summary>
public sealed class OwnedRabbitMq : IAsyncLifetime
{
    RabbitMqContainer? _container;

    public int Port { get; } = OwnedContainers.FreePort();
    public string Password { get; } = Guid.NewGuid().ToString("N");
    public RabbitMqContainer Container => _container ?? throw new InvalidOperationException("the broker has not been started");

    public async Task InitializeAsync()
    {
        _container = OwnedContainers.RabbitMq(Port, Password);
        await _container.StartAsync();
        await OwnedContainers.WaitForAmqpAsync(Port, Password, TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops the broker (a clean shutdown, as a service restart does) and starts it again on the same port and data.</summary>
    public async Task RestartAsync()
    {
        await Container.StopAsync();
        await Container.StartAsync();
        await OwnedContainers.WaitForAmqpAsync(Port, Password, TimeSpan.FromSeconds(60));
    }

    public void ConfigureHost(IRabbitMqBusFactoryConfigurator bus) =>
        bus.Host("127.0.0.1", (ushort)Port, "/", host =>
        {
            host.Username(OwnedContainers.User);
            host.Password(Password);
        });

    public async Task DisposeAsync()
    {
        if (_container is not null)
            await _container.DisposeAsync();
    }
}
