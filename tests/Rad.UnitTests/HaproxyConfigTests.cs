using Rad.Contracts;
using Rad.Edge;
using Xunit;

namespace Rad.UnitTests;

public class HaproxyConfigTests
{
    static readonly EdgeOptions Options = new() { AdminSocket = "/run/admin.sock", BindAddress = "127.0.0.1" };

    static EdgeSlot Slot(string slot, int traffic, params string[] backends) => new(slot, traffic, HealthCheck.TcpDefault, backends);

    [Fact]
    public void Each_port_gets_a_frontend_and_health_checked_backends()
    {
        var config = HaproxyConfig.Render(
            [new EdgeRoute(30001, "two", "tcp", [Slot("a", 100, "172.20.0.3:8080", "172.20.0.2:8080")]), new EdgeRoute(30000, "one", "tcp", [Slot("a", 100)])], Options);

        Assert.Contains("stats socket /run/admin.sock mode 600 level admin expose-fd listeners", config);
        // Otherwise every reload reads the whole system CA store first (for an HTTP client the edge never uses).
        Assert.Contains("\n    httpclient.ssl.verify none\n", config[..config.IndexOf("defaults", StringComparison.Ordinal)]);
        Assert.True(config.IndexOf("frontend port_30000", StringComparison.Ordinal) < config.IndexOf("frontend port_30001", StringComparison.Ordinal));
        Assert.Contains("bind 127.0.0.1:30001\n    default_backend app_two_30001", config);
        Assert.Contains("""
                server a_172_20_0_2_8080 172.20.0.2:8080 weight 128 track check_two_30001_a/a_172_20_0_2_8080
                server a_172_20_0_3_8080 172.20.0.3:8080 weight 128 track check_two_30001_a/a_172_20_0_3_8080
            """, config);
        Assert.Contains("""
            backend check_two_30001_a
                timeout check 2000ms
                server a_172_20_0_2_8080 172.20.0.2:8080 check inter 1000ms fastinter 100ms rise 1 fall 2
            """, config);
        Assert.Contains("backend app_one_30000\n    balance roundrobin\n", config);
        Assert.DoesNotContain("check_one_30000_a", config);
        Assert.DoesNotContain("mode http", config);
    }

    [Fact]
    public void The_file_HAProxy_starts_with_keeps_the_global_and_default_settings_of_the_rendered_one()
    {
        // scripts/up, the edge container and the integration tests' RAD start HAProxy with deploy/haproxy-initial.cfg;
        // it serves until Rad.Edge's first reload, so a setting added to one file and not the other would hold only part
        // of the time (as the CA store setting would have).
        var initial = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "haproxy-initial.cfg"))
            .Replace("\"${Rad__Edge__AdminSocket}\"", Options.AdminSocket, StringComparison.Ordinal);
        var rendered = HaproxyConfig.Render([], Options);

        foreach (var section in new[] { "global", "defaults" })
        {
            var initialLines = SectionLines(initial, section);
            Assert.NotEmpty(initialLines);
            Assert.Subset(SectionLines(rendered, section).ToHashSet(), initialLines.ToHashSet());
        }
    }

    // The settings of a top-level section: its indented lines up to the next section, without comments and blank lines.
    static List<string> SectionLines(string config, string section) =>
        config.Split('\n')
            .SkipWhile(line => line.TrimEnd() != section)
            .Skip(1)
            .TakeWhile(line => line.Length == 0 || char.IsWhiteSpace(line[0]))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToList();

    [Fact]
    public void Weights_split_the_traffic_by_the_slots_shares_whatever_their_replica_counts()
    {
        var old = Slot("a", 90, "172.20.0.2:80", "172.20.0.3:80");
        var canary = Slot("b", 10, "172.20.0.4:80");

        // Two old servers at 115 and one canary at 26: 26 of 256 requests, about 10%, go to the canary.
        Assert.Equal(115, old.Weight);
        Assert.Equal(26, canary.Weight);
        Assert.Equal(0, Slot("a", 0, "172.20.0.2:80").Weight);
        Assert.Equal(256, Slot("a", 100, "172.20.0.2:80").Weight);
        Assert.Equal(1, Slot("b", 1, Enumerable.Range(1, 100).Select(i => $"172.20.1.{i}:80").ToArray()).Weight);
    }

    [Fact]
    public void Http_checks_and_canaries_are_written_for_haproxy()
    {
        var health = new HealthCheck("/healthz", "2xx-3xx", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), 3);
        var config = HaproxyConfig.Render(
            [new EdgeRoute(30002, "web", "http", [Slot("a", 90, "172.20.0.2:80"), new EdgeSlot("b", 10, health, ["172.20.0.5:80"])])], Options);

        Assert.Contains("frontend port_30002\n    mode http\n", config);
        Assert.Contains("backend app_web_30002\n    mode http\n    balance roundrobin\n", config);
        Assert.Contains("""
            backend check_web_30002_b
                mode http
                option httpchk GET '/healthz'
                http-check expect status 200-399
                timeout check 1000ms
                server b_172_20_0_5_80 172.20.0.5:80 check inter 500ms fastinter 100ms rise 3 fall 2
            """, config);
        Assert.Contains("server b_172_20_0_5_80 172.20.0.5:80 weight 26 track check_web_30002_b/b_172_20_0_5_80", config);
    }

    [Fact]
    public void A_change_of_weights_alone_is_told_apart_from_one_that_needs_a_reload()
    {
        EdgeRoute Route(int share, params string[] canary) => new(30003, "web", "tcp", [Slot("a", 100 - share, "172.20.0.2:80"), Slot("b", share, canary)]);
        var before = HaproxyConfig.Render([Route(0, "172.20.0.5:80")], Options);
        var shifted = HaproxyConfig.Render([Route(50, "172.20.0.5:80")], Options);
        var scaled = HaproxyConfig.Render([Route(50, "172.20.0.5:80", "172.20.0.6:80")], Options);

        Assert.Equal(HaproxyConfig.WithoutWeights(before), HaproxyConfig.WithoutWeights(shifted));
        Assert.NotEqual(HaproxyConfig.WithoutWeights(shifted), HaproxyConfig.WithoutWeights(scaled));
        Assert.Equal(new Dictionary<string, int> { ["app_web_30003/a_172_20_0_2_80"] = 256, ["app_web_30003/b_172_20_0_5_80"] = 0 }, HaproxyConfig.Weights(before));
        Assert.Equal(128, HaproxyConfig.Weights(shifted)["app_web_30003/b_172_20_0_5_80"]);
    }

    [Fact]
    public void Show_stat_is_read_by_column_name()
    {
        var stats = HaproxyStats.Parse("""
            # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,status,weight
            app_web_30003,a_172_20_0_2_80,0,0,3,5,,120,0,0,,0,,2,1,UP,256
            app_web_30003,BACKEND,0,0,3,5,,120,0,0,,0,,2,1,UP,256

            """);

        var server = stats["app_web_30003/a_172_20_0_2_80"];
        Assert.Equal(3, HaproxyStats.Number(server, "scur"));
        Assert.Equal(2, HaproxyStats.Number(server, "econ"));
        Assert.Equal("UP", HaproxyStats.Text(server, "status"));
        Assert.Equal(0, HaproxyStats.Number(null, "scur"));
    }

    [Fact]
    public void A_check_under_way_reads_as_the_result_of_the_last_one()
    {
        // HAProxy 2.6's show stat, as seen right after a reload: the first server's next check had already started.
        var stats = HaproxyStats.Parse("""
            # pxname,svname,status,check_status,check_code
            check_web_30003_a,a_172_20_0_2_80,UP,* L4OK,
            check_web_30003_a,a_172_20_0_3_80,UP,L7STS,503
            check_web_30003_a,a_172_20_0_4_80,UP,,

            """);

        Assert.Equal("L4OK", HaproxyStats.LastCheck(stats["check_web_30003_a/a_172_20_0_2_80"]));
        Assert.Equal("L7STS", HaproxyStats.LastCheck(stats["check_web_30003_a/a_172_20_0_3_80"]));
        Assert.Equal("", HaproxyStats.LastCheck(stats["check_web_30003_a/a_172_20_0_4_80"]));
        Assert.Equal("", HaproxyStats.LastCheck(null));
    }

    [Fact]
    public void The_newest_tasks_are_checked_first_after_a_reload()
    {
        var earlier = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
        var config = HaproxyConfig.Render(
        [
            new EdgeRoute(30001, "old", "tcp", [new EdgeSlot("a", 100, HealthCheck.TcpDefault, ["172.20.0.2:80"], earlier)]),
            new EdgeRoute(30002, "web", "tcp",
            [
                new EdgeSlot("a", 100, HealthCheck.TcpDefault, ["172.20.0.3:80"], earlier.AddMinutes(1)),
                new EdgeSlot("b", 0, HealthCheck.TcpDefault, ["172.20.0.4:80"], earlier.AddMinutes(2)),
            ]),
        ], Options);

        var order = new[] { "backend check_web_30002_b", "backend check_web_30002_a", "backend check_old_30001_a" }
            .Select(b => config.IndexOf(b, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        // Every serving backend comes before any check backend.
        Assert.True(config.LastIndexOf("backend app_", StringComparison.Ordinal) < order[0]);
    }
}
