using Microsoft.Extensions.DependencyInjection.Extensions;
using Rad.Docker;
using Rad.Hosting;

namespace Rad.Builder;

public static class BuilderRegistration
{
    /// <summary>The builder: BuildImage commands, built and pushed through the Docker engine (Rad:Docker, Rad:Registries), and image collection.</summary>
    public static WebApplicationBuilder AddBuilder(this WebApplicationBuilder builder)
    {
        builder.AddRadService("builder", bus =>
        {
            bus.AddConsumer<BuildImageConsumer>(typeof(BuildImageConsumerDefinition));
            bus.AddConsumer<PruneImagesConsumer>();
        });
        builder.Services.AddRadDocker(builder.Configuration);
        builder.Services.AddSingleton<ImageBuilder>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ImagePruner>();
        builder.Services.AddHttpClient<RegistryManifests>(http => http.Timeout = TimeSpan.FromSeconds(30));
        BuildMetrics.Register();
        GcMetrics.Register();
        return builder;
    }
}
