using Rad.Edge;
using Xunit;

namespace Rad.UnitTests.Monitoring;

public class EdgeBackendStatesTests
{
    // "show stat" of HAProxy 2.6.12 (Debian 12) over a configuration as HaproxyConfig writes it: application web-1 on
    // port 38090, servers tracking their check backend's servers: one answering, one on a closed port, one at weight 0,
    // and one whose check server was put in maintenance over the admin socket.
    static readonly string Csv = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Monitoring", "haproxy-2.6-show-stat.csv"));

    [Fact]
    public void Each_serving_server_counts_once_by_its_state_and_the_check_backends_not_at_all()
    {
        var counts = EdgeBackendStates.Count(new HaproxyStats("1", HaproxyStats.Parse(Csv)));

        var web = Assert.Single(counts);
        Assert.Equal("web-1", web.Key);
        Assert.Equal(1, web.Value["up"]);
        Assert.Equal(1, web.Value["down"]);
        Assert.Equal(1, web.Value["maint"]);
        Assert.Equal(1, web.Value["drain"]);
    }

    [Theory]
    [InlineData("UP", 256, "up")]
    [InlineData("UP 1/2", 10, "up")]
    [InlineData("UP", 0, "drain")]
    [InlineData("DOWN", 256, "down")]
    [InlineData("DOWN 1/3", 256, "down")]
    [InlineData("MAINT", 256, "maint")]
    [InlineData("MAINT (via check_web_30000_a/a_172_19_0_4_8080)", 256, "maint")]
    [InlineData("DRAIN", 0, "drain")]
    [InlineData("NOLB", 256, "drain")]
    [InlineData("no check", 256, "up")]
    public void HAProxy_status_words_map_to_four_states(string status, long weight, string state) =>
        Assert.Equal(state, EdgeBackendStates.StateOf(status, weight));

    [Fact]
    public void A_status_it_does_not_know_is_not_counted() => Assert.Null(EdgeBackendStates.StateOf("SOMETHING", 1));
}
