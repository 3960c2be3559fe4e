using Rad.Builder;
using Rad.Docker;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("builder", bus => bus.AddConsumer<BuildImageConsumer>(typeof(BuildImageConsumerDefinition)));
builder.Services.AddRadDocker(builder.Configuration);
builder.Services.AddSingleton<RegistryInspector>();
builder.Services.AddSingleton<ImageBuilder>();

var app = builder.Build();
app.MapRadHealth();
app.Run();
