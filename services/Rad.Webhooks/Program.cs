using Rad.Hosting;
using Rad.Webhooks;

var builder = WebApplication.CreateBuilder(args);
builder.AddWebhooks();

var app = builder.Build();
if (string.IsNullOrEmpty(app.Configuration[WebhookOptions.SecretVariable]))
    app.Logger.LogWarning("{Variable} is not set: every webhook is answered 503 until it is", WebhookOptions.SecretVariable);
app.MapRadHealth();
app.MapWebhooks();
app.Run();
