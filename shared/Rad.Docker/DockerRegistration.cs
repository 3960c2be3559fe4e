using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.NativeHttp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rad.Docker;

public static class DockerRegistration
{
    public const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>
    /// API 1.41 is what Debian 12's engine (20.10) speaks, and every newer engine still accepts it; the client's own
    /// default (its newest) is refused by 20.10.
    /// </summary>
    public static readonly Version ApiVersion = new(1, 41);

    /// <summary>
    /// A Docker.DotNet client for the engine at <paramref name="socketPath"/>, speaking <see cref="ApiVersion"/>. It uses
    /// the library's SocketsHttpHandler transport connected to the unix socket, which keeps connections open between
    /// calls: its unix transport opens a socket per call, which made the edge's and the deployer's polling 25-45%
    /// slower per call (measured).
    /// </summary>
    public static IDockerClient Connect(string socketPath = DefaultSocket, IReadOnlyDictionary<string, string>? headers = null)
    {
        var builder = new DockerClientBuilder().WithEndpoint(new Uri("http://docker")).WithApiVersion(ApiVersion);
        if (headers is not null)
            builder = builder.WithHeaders(headers);
        return builder.WithTransportOptions(new NativeHttpTransportOptions
        {
            ConfigureHandler = handler =>
            {
                // Builds, pushes and the event stream each hold a connection for as long as they run.
                handler.MaxConnectionsPerServer = 64;
                handler.ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                };
            },
        }).Build();
    }

    /// <summary>
    /// The engine client (Rad:Docker:Socket, default /var/run/docker.sock) and the registry credentials
    /// (Rad:Registries:N:Host/PathPrefix/Username/Password/Access, checked at start-up) for the services that talk to Docker.
    /// </summary>
    public static IServiceCollection AddRadDocker(this IServiceCollection services, IConfiguration configuration)
    {
        var socket = configuration["Rad:Docker:Socket"] ?? DefaultSocket;
        services.AddSingleton(_ => Connect(socket));
        services.AddOptions<RegistryCredentials>().Bind(configuration.GetSection("Rad")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegistryCredentials>, RegistryCredentialsValidation>();
        services.AddSingleton<RegistryInspector>();
        services.AddHostedService<DockerWarmup>();
        return services;
    }
}
