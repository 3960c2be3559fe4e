using Rad.Clusters.Swarm;
using Xunit;

namespace Rad.UnitTests;

public class PortPolicyTests
{
    [Theory]
    [InlineData(22, "port 22 is below 1024, where the machine's own services listen (22 is ssh)")]
    [InlineData(80, "port 80 is below 1024")]
    [InlineData(5432, "port 5432 is PostgreSQL's on this machine; give the application another port in rad.json")]
    [InlineData(7080, "port 7080 is RAD's status service's on this machine")]
    [InlineData(9418, "port 9418 is RAD's git server's on this machine")]
    public void Ports_of_the_machine_and_of_RAD_are_refused_with_the_reason(int port, string reason) =>
        Assert.StartsWith(reason, PortPolicy.Problem(port, []));

    [Theory]
    [InlineData(1024)]
    [InlineData(8080)]
    [InlineData(30000)]
    [InlineData(65535)]
    public void Other_ports_are_the_applications(int port) => Assert.Null(PortPolicy.Problem(port, []));

    [Fact]
    public void An_operator_can_allow_a_low_port() => Assert.Null(PortPolicy.Problem(80, [80]));
}
