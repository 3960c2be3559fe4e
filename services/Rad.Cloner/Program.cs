using Rad.Cloner;
using Rad.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("cloner", bus =>
{
    bus.AddConsumer<CloneRepositoryConsumer>();
    bus.AddConsumer<DeploymentFinishedConsumer>();
});
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<CheckoutCache>();
builder.Services.AddHostedService<WorkspaceJanitor>();
builder.Services.Configure<ClonerOptions>(builder.Configuration.GetSection("Rad:Cloner"));
builder.Services.PostConfigure<ClonerOptions>(options =>
    options.Workspace = builder.Configuration["Rad:Workspace"] ?? options.Workspace);

var app = builder.Build();
app.MapRadHealth();
app.Run();
