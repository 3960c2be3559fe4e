using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Images;
using RabbitMQ.Client;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Rad.IntegrationTests.Isolated;

/// <summary>
/// A PostgreSQL and a RabbitMQ of the test's own, started by Testcontainers from the images scripts/test-images built.
/// Each listens on a fixed port of 127.0.0.1 that the test chose, not on a random mapping: a restarted container comes
/// back on the same port, so the processes connected to it can reconnect.
/// </summary>
public static class OwnedContainers
{
    public const string User = "rad";

    public static PostgreSqlContainer Postgres(int hostPort, string password) =>
        new PostgreSqlBuilder(TestImages.Postgres)
            .WithImagePullPolicy(PullPolicy.Never)
            .WithName(UniqueName("postgres"))
            .WithDatabase("rad")
            .WithUsername(User)
            .WithPassword(password)
            .WithCreateParameterModifier(parameters => BindLoopback(parameters, PostgreSqlBuilder.PostgreSqlPort, hostPort))
            .Build();

    public static RabbitMqContainer RabbitMq(int hostPort, string password) =>
        new RabbitMqBuilder(TestImages.RabbitMq)
            .WithImagePullPolicy(PullPolicy.Never)
            .WithName(UniqueName("rabbitmq"))
            .WithUsername(User)
            .WithPassword(password)
            .WithCreateParameterModifier(parameters => BindLoopback(parameters, RabbitMqBuilder.RabbitMqPort, hostPort))
            .Build();

    public static string ConnectionString(int port, string password, string database = "rad") =>
        $"Host=127.0.0.1;Port={port};Username={User};Password={password};Database={database}";

    // Below the kernel's ephemeral range (32768-60999 here): a port the kernel hands out for "port 0" can be taken by any
    // outgoing connection before the process meant to listen on it binds it (seen: an isolated builder failed with
    // "address already in use"). Above the fixed ports RAD and the machine use, below Stack.FreePort's 31000+.
    static int _nextPort = 20000 + Random.Shared.Next(0, 500) * 16;

    /// <summary>
    /// A port of <paramref name="address"/> (127.0.0.1 unless given) that nothing listens on now, from 20000-30999,
    /// never the same twice in this test run.
    /// </summary>
    public static int FreePort(IPAddress? address = null)
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _nextPort);
            if (port > 30999)
                throw new InvalidOperationException("no free port left in 20000-30999 for this test run");
            var listener = new TcpListener(address ?? IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: the next one.
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    /// <summary>
    /// Waits until the broker accepts an AMQP login: a TCP connect alone proves nothing, since Docker's port proxy
    /// accepts connections on the host port while the broker inside is still starting.
    /// </summary>
    public static async Task WaitForAmqpAsync(int port, string password, TimeSpan limit)
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = port, UserName = User, Password = password };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or SocketException)
            {
                if (watch.Elapsed > limit)
                    throw new TimeoutException($"RabbitMQ on 127.0.0.1:{port} did not accept a login within {limit.TotalSeconds:0} s", e);
                await Task.Delay(200);
            }
        }
    }

    static string UniqueName(string what) => $"rad-tc-{what}-{Guid.NewGuid().ToString("N")[..8]}";

    static void BindLoopback(CreateContainerParameters parameters, int containerPort, int hostPort)
    {
        parameters.HostConfig ??= new HostConfig();
        parameters.HostConfig.PortBindings = new Dictionary<string, IList<PortBinding>>
        {
            [$"{containerPort}/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = hostPort.ToString(CultureInfo.InvariantCulture) }],
        };
    }
}
