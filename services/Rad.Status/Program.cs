using Npgsql;
using Rad.Clusters;
using Rad.Hosting;
using Rad.Status.Api;
using Rad.Status.Deadlines;
using Rad.Status.Events;
using Rad.Status.Persistence;
using Rad.Status.Queue;
using Rad.Status.Saga;

var builder = WebApplication.CreateBuilder(args);
if (ApiAccess.CheckListenAddresses(builder.Configuration) is { } refusal)
{
    await Console.Error.WriteLineAsync($"rad status: {refusal}");
    return 2;
}

builder.AddRadService("status", bus =>
{
    bus.AddSagaStateMachine<DeploymentStateMachine, DeploymentState>(typeof(DeploymentStateMachineDefinition)).PostgresRepository();
    bus.AddConsumer<DeploymentQueueConsumer>(typeof(DeploymentQueueConsumerDefinition));
    bus.AddRequestClient<Rad.Contracts.DeleteCluster>();
    // Every status instance needs every progress message for the streams it serves: its own auto-deleted queue, in order.
    bus.AddConsumer<DeploymentProgressedConsumer>().Endpoint(endpoint =>
    {
        endpoint.Temporary = true;
        endpoint.InstanceId = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        endpoint.ConcurrentMessageLimit = 1;
    });
});

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(builder.Configuration.GetConnectionString("Status")
    ?? throw new InvalidOperationException("ConnectionStrings:Status is not set: give the PostgreSQL connection string, e.g. ConnectionStrings__Status=\"Host=127.0.0.1;Username=rad;Password=rad;Database=rad\".")));
builder.Services.AddSingleton<SchemaMigrator>();
builder.Services.AddSingleton<DeploymentQueries>();
builder.Services.AddSingleton<DeploymentEventHub>();
builder.Services.AddClusterRegistry(builder.Configuration);
builder.Services.Configure<DeadlineOptions>(builder.Configuration.GetSection(DeadlineOptions.Section));
builder.Services.Configure<ConcurrencyOptions>(builder.Configuration.GetSection(ConcurrencyOptions.Section));
builder.Services.AddOptions<ConcurrencyOptions>().Validate(o => ConcurrencyOptions.IsValid(o.Concurrency),
    $"Rad:Deployments:Concurrency must be \"{ConcurrencyOptions.Queue}\" or \"{ConcurrencyOptions.Supersede}\".").ValidateOnStart();
builder.Services.Configure<DeadlineSweeperOptions>(builder.Configuration.GetSection(DeadlineSweeperOptions.Section));
builder.Services.AddHostedService<DeadlineSweeper>();

var app = builder.Build();
await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
app.UseApiToken();
app.MapRadHealth();
app.MapDeploymentEndpoints();
app.MapClusterEndpoints();
await app.RunAsync();
return 0;
