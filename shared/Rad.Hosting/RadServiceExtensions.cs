using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;

namespace Rad.Hosting;

public static class RadServiceExtensions
{
    const string OutputTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {RadService} {DeploymentId} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Serilog, MassTransit on RabbitMQ (kebab-case endpoints, quick retries and outage retries (<see cref="OutageRetry"/>), the deployment id on every log line),
    /// /healthz and /metrics: what every RAD service needs before its own registrations.
    /// </summary>
    public static WebApplicationBuilder AddRadService(
        this WebApplicationBuilder builder,
        string serviceName,
        Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", LogEventLevel.Warning)
            // It logs every failing check of every probe at Error: while a warm-up runs, that is a line per poll. What
            // fails is logged where it fails (the bus by MassTransit, a warm-up by its own line), and /healthz says it.
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Fatal)
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("RadService", serviceName)
            .WriteTo.Console(outputTemplate: OutputTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture));

        var rabbit = builder.Configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        builder.Services.AddTransient<IStartupFilter, RequestLoggingStartupFilter>();
        RadMetrics.Configure();
        builder.Services.AddTransient<IStartupFilter, MetricsStartupFilter>();
        builder.Services.AddHealthChecks();
        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit 8.4 reports the bus's configuration (endpoints, transport, host) to its authors' servers some
            // minutes after start unless told not to: a deploy tool sends nothing anywhere its user did not configure.
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                endpoint.UseOutageRetry();
                endpoint.UseMessageRetry(retry =>
                {
                    retry.IgnoreOutages();
                    retry.Intervals(100, 500, 2000);
                });
                endpoint.UseConsumeFilter(typeof(DeploymentLogScopeFilter<>), context);
            });
            configureBus?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbitMq.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, host =>
                {
                    host.Username(rabbit.Username);
                    host.Password(rabbit.Password);
                });
                rabbitMq.ConfigureEndpoints(context);
            });
        });
        // After MassTransit's own hosted service, so the bus has started when it runs.
        builder.Services.AddHostedService<BusWarmup>();
        builder.Services.AddHostedService<TextWarmup>();
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(30);
            options.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }

    /// <summary>GET /healthz: 200 once the bus is connected, 503 otherwise.</summary>
    public static WebApplication MapRadHealth(this WebApplication app)
    {
        app.MapHealthChecks(RequestLoggingStartupFilter.HealthPath);
        return app;
    }
}
