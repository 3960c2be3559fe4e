using Rad.Deployer;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDeployer();

var app = builder.Build();
app.MapRadHealth();
app.Run();
