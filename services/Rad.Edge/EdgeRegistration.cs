using Microsoft.Extensions.Options;
using Rad.Docker;
using Rad.Hosting;

namespace Rad.Edge;

public static class EdgeRegistration
{
    /// <summary>The edge: HAProxy kept in step with the running tasks (Rad:Edge), following the Docker engine's events.</summary>
    public static WebApplicationBuilder AddEdge(this WebApplicationBuilder builder)
    {
        builder.AddRadService("edge", bus => bus.AddConsumer<GetEdgeStatsConsumer>());
        builder.Services.AddRadDocker(builder.Configuration);
        builder.Services.Configure<EdgeOptions>(builder.Configuration.GetSection(EdgeOptions.Section));
        builder.Services.AddSingleton(sp => new HaproxyControl(sp.GetRequiredService<IOptions<EdgeOptions>>().Value));
        builder.Services.AddSingleton<EdgeReconciler>();
        builder.Services.AddHostedService<EdgeWatcher>();
        builder.Services.AddSingleton<Prometheus.IMetricFactory>(Prometheus.Metrics.DefaultFactory);
        builder.Services.AddHostedService<EdgeMetrics>();
        return builder;
    }

    /// <summary>GET /routes: what the edge routes now.</summary>
    public static WebApplication MapEdgeRoutes(this WebApplication app)
    {
        app.MapGet("/routes", (EdgeReconciler reconciler) => reconciler.Routes);
        return app;
    }
}
