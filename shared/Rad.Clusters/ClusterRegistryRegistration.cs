using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Rad.Clusters;

public static class ClusterRegistryRegistration
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Username=rad;Password=rad;Database=rad";

    /// <summary>
    /// The registry on RAD's database (ConnectionStrings:Status, the status service's database, unless a data source is
    /// registered already) and the client factory for its Kubernetes clusters.
    /// </summary>
    public static IServiceCollection AddClusterRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(configuration.GetConnectionString("Status") ?? DefaultConnectionString));
        services.AddSingleton<ClusterRegistry>();
        services.AddSingleton<IKubernetesClientFactory, KubernetesClientFactory>();
        return services;
    }
}
