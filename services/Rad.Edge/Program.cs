using Microsoft.Extensions.Options;
using Rad.Docker;
using Rad.Edge;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("edge", bus => bus.AddConsumer<SyncEdgeRoutesConsumer>());
builder.Services.AddRadDocker(builder.Configuration);
builder.Services.Configure<EdgeOptions>(builder.Configuration.GetSection(EdgeOptions.Section));
builder.Services.AddSingleton(sp => new HaproxyControl(sp.GetRequiredService<IOptions<EdgeOptions>>().Value));
builder.Services.AddSingleton<EdgeReconciler>();
builder.Services.AddHostedService<EdgeWatcher>();

var app = builder.Build();
app.MapRadHealth();
app.MapGet("/routes", (EdgeReconciler reconciler) => reconciler.Routes);
app.Run();
