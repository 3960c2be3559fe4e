using Rad.Hosting;
using Rad.Webhooks;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("webhooks");
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection(WebhookOptions.Section));
// Kestrel's own limit backs up the handler's: no body over 1 MiB is ever buffered.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = WebhookOptions.MaxBodyBytes + 1);

var app = builder.Build();
if (string.IsNullOrEmpty(app.Configuration[WebhookOptions.SecretVariable]))
    app.Logger.LogWarning("{Variable} is not set: every webhook is answered 503 until it is", WebhookOptions.SecretVariable);
app.MapRadHealth();
app.MapWebhooks();
app.Run();
