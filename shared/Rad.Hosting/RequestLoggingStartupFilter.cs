using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serilog;
using Serilog.Events;

namespace Rad.Hosting;

/// <summary>
/// One log line per HTTP request, first in every service's pipeline so refused requests are logged too. Requests that
/// change something log at Information (Warning when refused), server errors at Error, and reads (status polling,
/// health probes) only at Debug, so polling neither drowns the log nor slows the API. The query string is never logged, and a request about a
/// deployment ({id} in its route) carries that deployment's id like every other log line of it.
/// </summary>
public sealed class RequestLoggingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseSerilogRequestLogging(options =>
        {
            options.GetLevel = (http, _, error) => LevelOf(http, error);
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                if (Guid.TryParse(http.GetRouteValue("id")?.ToString(), out var id))
                    diagnostics.Set("DeploymentId", id);
            };
        });
        next(app);
    };

    /// <summary>
    /// The level of a request's log line. A health probe is Debug whatever it answered: its 503 while a service warms up
    /// or waits for the broker is the answer asked for, not a server error, and a prober polls it every few hundred ms.
    /// </summary>
    public static LogEventLevel LevelOf(HttpContext http, Exception? error) =>
        error is not null ? LogEventLevel.Error
        : http.Request.Path.StartsWithSegments(HealthPath) ? LogEventLevel.Debug
        : http.Response.StatusCode >= 500 ? LogEventLevel.Error
        : HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? LogEventLevel.Debug
        : http.Response.StatusCode >= 400 ? LogEventLevel.Warning
        : LogEventLevel.Information;

    public const string HealthPath = "/healthz";
}
