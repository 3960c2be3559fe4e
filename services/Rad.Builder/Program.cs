using Rad.Builder;
using Rad.Docker;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("builder", bus => bus.AddConsumer<BuildImageConsumer>(typeof(BuildImageConsumerDefinition)));
builder.Services.AddSingleton(_ => new DockerClient(builder.Configuration["Rad:Docker:Socket"] ?? DockerClient.DefaultSocket));
builder.Services.AddSingleton<ImageBuilder>();
builder.Services.Configure<RegistryCredentials>(builder.Configuration.GetSection("Rad"));

var app = builder.Build();
app.MapRadHealth();
app.Run();
