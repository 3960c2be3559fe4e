using Microsoft.Extensions.DependencyInjection.Extensions;
using Rad.Docker;
using Rad.Hosting;

namespace Rad.Builder;

public static class BuilderRegistration
{
    /// <summary>
    /// The builder: BuildImage commands, built and pushed through the Docker engine (Rad:Docker, Rad:Registries), within
    /// Rad:Builder's limits; DeploymentFinished stops a deployment's builds, heard by every instance on a queue of its own;
    /// image collection (PruneImages).
    /// </summary>
    public static WebApplicationBuilder AddBuilder(this WebApplicationBuilder builder)
    {
        builder.AddRadService("builder", bus =>
        {
            bus.AddConsumer<BuildImageConsumer>(typeof(BuildImageConsumerDefinition));
            bus.AddConsumer<PruneImagesConsumer>();
            bus.AddConsumer<EndedDeploymentConsumer>().Endpoint(endpoint =>
            {
                endpoint.InstanceId = $"{Environment.MachineName}-{Environment.ProcessId}".ToLowerInvariant();
                endpoint.Temporary = true;
            });
        });
        builder.Services.AddRadDocker(builder.Configuration);
        builder.Services.AddOptions<BuilderOptions>()
            .Bind(builder.Configuration.GetSection(BuilderOptions.Section))
            .Validate(o => o.MaxContextBytes > 0, $"{BuilderOptions.MaxContextBytesSetting} must be a number of bytes above 0, e.g. 2147483648 for 2 GiB")
            .Validate(o => o.BuildTimeout > TimeSpan.Zero, $"{BuilderOptions.BuildTimeoutSetting} must be a duration above 0, e.g. 00:10:00 for 10 minutes")
            .ValidateOnStart();
        builder.Services.AddSingleton<DeploymentBuilds>();
        builder.Services.AddSingleton<ImageBuilder>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ImagePruner>();
        builder.Services.AddHostedService<BuilderWarmup>();
        builder.Services.AddHttpClient<RegistryManifests>(http => http.Timeout = TimeSpan.FromSeconds(30));
        BuildMetrics.Register();
        GcMetrics.Register();
        return builder;
    }
}
