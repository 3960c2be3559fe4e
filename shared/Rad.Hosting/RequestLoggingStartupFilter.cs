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
sealed class RequestLoggingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseSerilogRequestLogging(options =>
        {
            options.GetLevel = (http, _, error) => error is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? LogEventLevel.Debug
                : http.Response.StatusCode >= 400 ? LogEventLevel.Warning
                : LogEventLevel.Information;
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                if (Guid.TryParse(http.GetRouteValue("id")?.ToString(), out var id))
                    diagnostics.Set("DeploymentId", id);
            };
        });
        next(app);
    };
}
