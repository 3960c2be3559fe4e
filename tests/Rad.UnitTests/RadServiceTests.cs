using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rad.Hosting;
using Xunit;

namespace Rad.UnitTests;

public class RadServiceTests
{
    [Fact]
    public async Task Every_service_keeps_MassTransits_usage_telemetry_off()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddRadService("test");
        await using var app = builder.Build();

        Assert.False(app.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
