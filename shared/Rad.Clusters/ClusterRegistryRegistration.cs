using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Rad.Clusters;

public static class ClusterRegistryRegistration
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Username=rad;Password=rad;Database=rad";

    /// <summary>The registry on RAD's database (ConnectionStrings:Status, the status service's database).</summary>
    public static IServiceCollection AddClusterRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => NpgsqlDataSource.Create(configuration.GetConnectionString("Status") ?? DefaultConnectionString));
        services.AddSingleton<ClusterRegistry>();
        return services;
    }
}
