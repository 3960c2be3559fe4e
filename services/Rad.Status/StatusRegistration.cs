using Microsoft.Extensions.Options;
using Npgsql;
using Prometheus;
using Rad.Clusters;
using Rad.Contracts;
using Rad.Hosting;
using Rad.Status.Api;
using Rad.Status.Collection;
using Rad.Status.Dashboard;
using Rad.Status.Deadlines;
using Rad.Status.Events;
using Rad.Status.Monitoring;
using Rad.Status.Notifications;
using Rad.Status.Outbox;
using Rad.Status.Persistence;
using Rad.Status.Queue;
using Rad.Status.Saga;
using Rad.Status.Webhooks;

namespace Rad.Status;

public static class StatusRegistration
{
    /// <summary>
    /// The status service: the deployment saga on PostgreSQL (ConnectionStrings:Status), the per-repository queue, the
    /// live progress hub, the deadline sweeper and the cluster registry.
    /// </summary>
    public static WebApplicationBuilder AddStatus(this WebApplicationBuilder builder)
    {
        builder.AddRadService("status", bus =>
        {
            bus.AddSagaStateMachine<DeploymentStateMachine, DeploymentState>(typeof(DeploymentStateMachineDefinition)).PostgresRepository();
            bus.AddConsumer<DeploymentQueueConsumer>(typeof(DeploymentQueueConsumerDefinition));
            bus.AddConsumer<SagaFaultConsumer>();
            bus.AddConsumer<WebhookPushCheckConsumer>();
            bus.AddRequestClient<DeleteCluster>();
            bus.AddRequestClient<DescribeApplications>();
            bus.AddRequestClient<PruneImages>();
            // Every status instance needs every progress message for the streams it serves: its own auto-deleted queue, in order.
            bus.AddConsumer<DeploymentProgressedConsumer>().Endpoint(endpoint =>
            {
                endpoint.Temporary = true;
                endpoint.InstanceId = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
                endpoint.ConcurrentMessageLimit = 1;
            });
            bus.AddNotificationConsumers();
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(builder.Configuration.GetConnectionString("Status")
            ?? throw new InvalidOperationException("ConnectionStrings:Status is not set: give the PostgreSQL connection string, e.g. ConnectionStrings__Status=\"Host=127.0.0.1;Username=rad;Password=rad;Database=rad\".")));
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<DeploymentQueries>();
        services.AddSingleton<DeploymentEventHub>();
        services.AddSingleton<FinishedDeploymentViews>();
        services.AddSingleton<LatestDeployments>();
        services.AddSingleton<ReleaseHistory>();
        services.AddSingleton<IReleaseHistory>(sp => sp.GetRequiredService<ReleaseHistory>());
        services.AddSingleton<ApplicationOwners>();
        services.AddSingleton<IApplicationOwners>(sp => sp.GetRequiredService<ApplicationOwners>());
        services.AddSingleton<IRunningCommits, RunningCommits>();
        services.AddClusterRegistry(builder.Configuration);
        services.AddNotifications(builder.Configuration);
        services.Configure<DeadlineOptions>(builder.Configuration.GetSection(DeadlineOptions.Section));
        services.Configure<ConcurrencyOptions>(builder.Configuration.GetSection(ConcurrencyOptions.Section));
        services.AddOptions<ConcurrencyOptions>().Validate(o => ConcurrencyOptions.IsValid(o.Concurrency),
            $"Rad:Deployments:Concurrency must be \"{ConcurrencyOptions.Queue}\" or \"{ConcurrencyOptions.Supersede}\".").ValidateOnStart();
        services.Configure<DeadlineSweeperOptions>(builder.Configuration.GetSection(DeadlineSweeperOptions.Section));
        services.AddHostedService<StatusWarmup>();
        services.AddSingleton<ApiReadWarmup>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiReadWarmup>());
        services.AddHealthChecks().AddCheck<ApiReadWarmup>("api-read-warmup");
        services.AddHostedService<KubeconfigWarmup>();
        services.AddHostedService<ClusterCredentialsSealing>();
        services.AddHostedService<DeadlineSweeper>();
        services.AddSingleton<KeptImages>();
        services.AddOptions<ImageCollectionOptions>().Bind(builder.Configuration.GetSection(ImageCollectionOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ImageCollectionOptions>, ImageCollectionOptionsValidator>();
        services.AddSingleton<ImageCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<ImageCollector>());
        services.Configure<OutboxOptions>(builder.Configuration.GetSection(OutboxOptions.Section));
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<KillAfterCommit>();
        services.Configure<PendingRequestSweeperOptions>(builder.Configuration.GetSection(PendingRequestSweeperOptions.Section));
        services.AddHostedService<PendingRequestSweeper>();
        services.AddSingleton<IMetricFactory>(Metrics.DefaultFactory);
        services.AddSingleton<DeploymentMetrics>();
        services.AddSingleton<DeploymentGauges>();
        services.AddHostedService<DeploymentGaugesCollector>();
        return builder;
    }

    /// <summary>The HTTP API behind the API token guard: deployments (with their live events) and clusters.</summary>
    public static WebApplication MapStatusApi(this WebApplication app)
    {
        app.UseDatabaseUnavailableAnswer();
        app.UseApiToken();
        app.UseRequestBodyLimit();
        app.MapDashboard();
        app.MapRadHealth();
        app.MapDeploymentEndpoints();
        app.MapClusterEndpoints();
        app.MapApplicationEndpoints();
        app.MapApplicationOwnerEndpoints();
        app.MapNotificationEndpoints();
        app.MapGcEndpoints();
        return app;
    }
}
