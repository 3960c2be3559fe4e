using Microsoft.AspNetCore.Http;
using Rad.Hosting;
using Serilog.Events;
using Xunit;

namespace Rad.UnitTests;

public class RequestLoggingTests
{
    static LogEventLevel Level(string method, string path, int status, Exception? error = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        http.Response.StatusCode = status;
        return RequestLoggingStartupFilter.LevelOf(http, error);
    }

    [Theory]
    [InlineData("GET", "/healthz", 200, LogEventLevel.Debug)]
    // Not ready yet (a warm-up, the broker) is what a probe asks about: no Error line per poll.
    [InlineData("GET", "/healthz", 503, LogEventLevel.Debug)]
    [InlineData("GET", "/api/deployments", 200, LogEventLevel.Debug)]
    [InlineData("GET", "/api/deployments", 503, LogEventLevel.Error)]
    [InlineData("POST", "/api/deployments", 202, LogEventLevel.Information)]
    [InlineData("POST", "/api/deployments", 400, LogEventLevel.Warning)]
    [InlineData("POST", "/api/deployments", 500, LogEventLevel.Error)]
    [InlineData("GET", "/healthzz", 503, LogEventLevel.Error)]
    public void Each_request_logs_at_the_level_of_what_it_did(string method, string path, int status, LogEventLevel expected)
    {
        Assert.Equal(expected, Level(method, path, status));
    }

    [Fact]
    public void A_request_that_threw_is_an_error_even_on_the_health_probe()
    {
        Assert.Equal(LogEventLevel.Error, Level("GET", "/healthz", 500, new InvalidOperationException("boom")));
    }
}
