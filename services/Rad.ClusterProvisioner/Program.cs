using Rad.ClusterProvisioner;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddClusterProvisioner();

var app = builder.Build();
app.MapRadHealth();
app.Run();
