using Rad.Hosting;

namespace Rad.Cloner;

public static class ClonerRegistration
{
    /// <summary>The cloner: CloneRepository commands into the shared workspace (Rad:Workspace, Rad:Cloner), and its janitor.</summary>
    public static WebApplicationBuilder AddCloner(this WebApplicationBuilder builder)
    {
        builder.AddRadService("cloner", bus =>
        {
            bus.AddConsumer<CloneRepositoryConsumer>();
            bus.AddConsumer<DeploymentFinishedConsumer>();
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CheckoutCache>();
        builder.Services.AddRadSecrets(builder.Configuration);
        CloneMetrics.Register();
        builder.Services.AddHostedService<ClonerWarmup>();
        builder.Services.AddHostedService<WorkspaceJanitor>();
        builder.Services.Configure<ClonerOptions>(builder.Configuration.GetSection("Rad:Cloner"));
        builder.Services.PostConfigure<ClonerOptions>(options => options.Workspace = builder.Configuration["Rad:Workspace"] ?? options.Workspace);
        return builder;
    }
}
