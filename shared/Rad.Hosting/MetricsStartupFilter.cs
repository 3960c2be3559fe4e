using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Prometheus;

namespace Rad.Hosting;

/// <summary>
/// GET /metrics (Prometheus text format) on every service, ahead of the service's own pipeline: it is not under /api,
/// so the API token never guards it, and it carries only counts, durations and low-cardinality labels.
/// </summary>
sealed class MetricsStartupFilter : IStartupFilter
{
    public const string Path = "/metrics";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMetricServer(Path);
        next(app);
    };
}
