using Rad.Clusters;
using Rad.ClusterProvisioner;
using Rad.Docker;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("cluster-provisioner", bus =>
{
    bus.AddConsumer<ProvisionClusterConsumer>();
    bus.AddConsumer<DeleteClusterConsumer>();
});
builder.Services.AddRadDocker(builder.Configuration);
builder.Services.Configure<LocalSwarmOptions>(builder.Configuration.GetSection(LocalSwarmOptions.Section));
builder.Services.AddSingleton<StaleNetworkRepair>();
builder.Services.AddClusterRegistry(builder.Configuration);
builder.Services.AddSingleton<KubernetesClusters>();
builder.Services.Configure<ClusterApiOptions>(builder.Configuration.GetSection(ClusterApiOptions.Section));
builder.Services.AddSingleton<ClusterApiProvisioner>();
builder.Services.AddSingleton<LocalSwarm>();
builder.Services.AddHostedService<StartupHeal>();

var app = builder.Build();
app.MapRadHealth();
app.Run();
