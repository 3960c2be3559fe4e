using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Serilog;
using Serilog.Events;

namespace Rad.Hosting;

/// <summary>
/// One log line per HTTP request, first in every service's pipeline so refused requests are logged too. Health probes
/// log at Debug only, so polling does not drown the log; the query string (which may carry parameters) is never logged.
/// </summary>
sealed class RequestLoggingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseSerilogRequestLogging(options => options.GetLevel = (http, _, error) =>
            error is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
            : http.Request.Path.StartsWithSegments("/healthz") ? LogEventLevel.Debug : LogEventLevel.Information);
        next(app);
    };
}
