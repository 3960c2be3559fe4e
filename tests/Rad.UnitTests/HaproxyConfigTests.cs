using Rad.Edge;
using Xunit;

namespace Rad.UnitTests;

public class HaproxyConfigTests
{
    [Fact]
    public void Each_port_gets_a_frontend_and_health_checked_backends()
    {
        var options = new EdgeOptions { AdminSocket = "/run/admin.sock", BindAddress = "127.0.0.1" };

        var config = HaproxyConfig.Render(
            [new EdgeRoute(30001, "two", ["172.20.0.3:8080", "172.20.0.2:8080"]), new EdgeRoute(30000, "one", [])], options);

        Assert.Contains("stats socket /run/admin.sock mode 600 level admin expose-fd listeners", config);
        Assert.True(config.IndexOf("frontend port_30000", StringComparison.Ordinal) < config.IndexOf("frontend port_30001", StringComparison.Ordinal));
        Assert.Contains("bind 127.0.0.1:30001\n    default_backend app_two", config);
        Assert.Contains("server t_172_20_0_2_8080 172.20.0.2:8080 check\n    server t_172_20_0_3_8080 172.20.0.3:8080 check", config);
        Assert.Contains("backend app_one\n    balance roundrobin\n", config);
    }
}
