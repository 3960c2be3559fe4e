using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Rad.Clusters.Kubernetes;
using Rad.Clusters.Swarm;
using Rad.Docker;
using Rad.Hosting;
using Rad.Kubernetes;

namespace Rad.Clusters;

public static class ClusterRegistration
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Username=rad;Password=rad;Database=rad";

    /// <summary>
    /// The registry of Kubernetes clusters on RAD's database (ConnectionStrings:Status, the status service's database,
    /// unless a data source is registered already) and the one client factory for them.
    /// </summary>
    public static IServiceCollection AddClusterRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(configuration.GetConnectionString("Status") ?? DefaultConnectionString));
        services.AddRadSecrets(configuration);
        services.TryAddSingleton<ClusterRegistry>();
        services.TryAddSingleton(_ => ExecPlugins(configuration));
        services.TryAddSingleton<IKubernetesClientFactory, KubernetesClientFactory>();
        return services;
    }

    /// <summary>Rad:Kubernetes:ExecAllowlist as a comma-separated value or as a list (__0, __1, ...).</summary>
    public static ExecPluginPolicy ExecPlugins(IConfiguration configuration)
    {
        var section = configuration.GetSection(ExecPluginPolicy.Section);
        return new ExecPluginPolicy((section.Value?.Split(',') ?? []).Concat(section.GetChildren().Select(c => c.Value ?? "")));
    }

    /// <summary>
    /// Every cluster RAD deploys to behind <see cref="ClusterCatalog"/>: the local Swarm (Docker engine, Rad:Local) and the
    /// registered Kubernetes clusters (Cluster API: Rad:ClusterApi); rollouts bounded by Rad:Deployer.
    /// </summary>
    public static IServiceCollection AddRadClusters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRadDocker(configuration);
        services.AddClusterRegistry(configuration);
        services.Configure<LocalSwarmOptions>(configuration.GetSection(LocalSwarmOptions.Section));
        services.Configure<ClusterApiOptions>(configuration.GetSection(ClusterApiOptions.Section));
        services.Configure<DeployerOptions>(configuration.GetSection(DeployerOptions.Section));
        services.AddSingleton<StaleNetworkRepair>();
        services.AddSingleton<ContainerEvents>();
        services.AddSingleton<LocalSwarm>();
        services.AddSingleton<ApplicationLocks>();
        services.AddSingleton<ReplicaBudget>();
        services.AddScoped<SwarmSlotServices>();
        services.AddScoped<SwarmEdge>();
        services.AddScoped<SwarmDeployer>();
        services.AddScoped<SwarmCluster>();
        services.AddSingleton<ClusterApiProvisioner>();
        services.AddSingleton<KubernetesDeployer>();
        services.AddScoped<ClusterCatalog>();
        return services;
    }
}
