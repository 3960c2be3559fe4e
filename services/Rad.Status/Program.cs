using Npgsql;
using Rad.Hosting;
using Rad.Status.Api;
using Rad.Status.Deadlines;
using Rad.Status.Persistence;
using Rad.Status.Saga;

var builder = WebApplication.CreateBuilder(args);
builder.AddRadService("status", bus =>
    bus.AddSagaStateMachine<DeploymentStateMachine, DeploymentState>(typeof(DeploymentStateMachineDefinition)).PostgresRepository());

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(builder.Configuration.GetConnectionString("Status")
    ?? throw new InvalidOperationException("ConnectionStrings:Status is not set: give the PostgreSQL connection string, e.g. ConnectionStrings__Status=\"Host=127.0.0.1;Username=rad;Password=rad;Database=rad\".")));
builder.Services.AddSingleton<SchemaMigrator>();
builder.Services.AddSingleton<DeploymentQueries>();
builder.Services.Configure<DeadlineOptions>(builder.Configuration.GetSection(DeadlineOptions.Section));
builder.Services.Configure<DeadlineSweeperOptions>(builder.Configuration.GetSection(DeadlineSweeperOptions.Section));
builder.Services.AddHostedService<DeadlineSweeper>();

var app = builder.Build();
await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
app.MapRadHealth();
app.MapDeploymentEndpoints();
app.Run();
