using Rad.Clusters;
using Rad.Contracts;
using Rad.Deployer;
using Rad.Docker;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("deployer", bus =>
{
    bus.AddConsumer<DeployApplicationConsumer>();
    bus.AddRequestClient<SyncEdgeRoutes>();
});
builder.Services.AddRadDocker(builder.Configuration);
builder.Services.Configure<DeployerOptions>(builder.Configuration.GetSection("Rad:Deployer"));
builder.Services.AddScoped<SwarmDeployer>();
builder.Services.AddClusterRegistry(builder.Configuration);
builder.Services.AddSingleton<KubernetesDeployer>();

var app = builder.Build();
app.MapRadHealth();
app.Run();
