using MassTransit;
using Rad.Hosting;

namespace Rad.Webhooks;

public static class WebhooksRegistration
{
    /// <summary>The webhook service: signed push hooks become RequestDeployment on the bus (Rad:Webhooks, RAD_WEBHOOK_SECRET).</summary>
    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.AddRadService("webhooks", bus => bus.AddRequestClient<Rad.Contracts.CheckWebhookPush>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRadSecrets(builder.Configuration);
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection(WebhookOptions.Section));
        builder.Services.AddSingleton<WebhookWarmup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookWarmup>());
        builder.Services.AddHealthChecks().AddCheck<WebhookWarmup>("warmup");
        // Kestrel's own limit backs up the handler's: no body over 1 MiB is ever buffered.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = WebhookOptions.MaxBodyBytes + 1);
        return builder;
    }
}
