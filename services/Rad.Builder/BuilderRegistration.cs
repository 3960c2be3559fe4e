using Rad.Docker;
using Rad.Hosting;

namespace Rad.Builder;

public static class BuilderRegistration
{
    /// <summary>The builder: BuildImage commands, built and pushed through the Docker engine (Rad:Docker, Rad:Registries).</summary>
    public static WebApplicationBuilder AddBuilder(this WebApplicationBuilder builder)
    {
        builder.AddRadService("builder", bus => bus.AddConsumer<BuildImageConsumer>(typeof(BuildImageConsumerDefinition)));
        builder.Services.AddRadDocker(builder.Configuration);
        builder.Services.AddSingleton<ImageBuilder>();
        BuildMetrics.Register();
        return builder;
    }
}
