using Docker.DotNet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Rad.Docker;

public static class DockerRegistration
{
    public const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>
    /// API 1.41 is what Debian 12's engine (20.10) speaks, and every newer engine still accepts it; the client's own
    /// default (its newest) is refused by 20.10.
    /// </summary>
    public static readonly Version ApiVersion = new(1, 41);

    /// <summary>A Docker.DotNet client for the engine at <paramref name="socketPath"/>, speaking <see cref="ApiVersion"/>.</summary>
    public static IDockerClient Connect(string socketPath = DefaultSocket, IReadOnlyDictionary<string, string>? headers = null)
    {
        var builder = new DockerClientBuilder().WithEndpoint(new Uri($"unix://{socketPath}")).WithApiVersion(ApiVersion);
        if (headers is not null)
            builder = builder.WithHeaders(headers);
        return builder.Build();
    }

    /// <summary>
    /// The engine client (Rad:Docker:Socket, default /var/run/docker.sock) and the registry credentials
    /// (Rad:Registries:N:Server/Username/Password) for the services that talk to Docker.
    /// </summary>
    public static IServiceCollection AddRadDocker(this IServiceCollection services, IConfiguration configuration)
    {
        var socket = configuration["Rad:Docker:Socket"] ?? DefaultSocket;
        services.AddSingleton(_ => Connect(socket));
        services.Configure<RegistryCredentials>(configuration.GetSection("Rad"));
        return services;
    }
}
