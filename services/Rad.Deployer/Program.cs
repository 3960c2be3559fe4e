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
builder.Services.AddSingleton(_ => new DockerClient(builder.Configuration["Rad:Docker:Socket"] ?? DockerClient.DefaultSocket));
builder.Services.Configure<DeployerOptions>(builder.Configuration.GetSection("Rad:Deployer"));
builder.Services.AddScoped<SwarmDeployer>();

var app = builder.Build();
app.MapRadHealth();
app.Run();
