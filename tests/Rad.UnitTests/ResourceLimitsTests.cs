using Rad.Clusters;
using Rad.Clusters.Swarm;
using Rad.Contracts;
using Rad.Contracts.Config;
using Xunit;

namespace Rad.UnitTests;

public sealed class ResourceLimitsTests
{
    [Theory]
    [InlineData("500m", 500_000_000L)]
    [InlineData("0.5", 500_000_000L)]
    [InlineData("2", 2_000_000_000L)]
    [InlineData(".25", 250_000_000L)]
    [InlineData("1k", 1_000_000_000_000L)]
    public void Cpu_quantities_count_in_nano_cpus(string text, long nanos) => Assert.Equal(nanos, ResourceQuantity.NanoCpus(text));

    [Theory]
    [InlineData("256Mi", 268_435_456L)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("1.5Gi", 1_610_612_736L)]
    [InlineData("64", 64L)]
    [InlineData("8Ei", null)]
    [InlineData("99999999999999999999999999999", null)]
    [InlineData("1e3", null)]
    [InlineData("-1Mi", null)]
    public void Memory_quantities_count_in_bytes_and_none_beyond_64_bits(string text, long? bytes) => Assert.Equal(bytes, ResourceQuantity.Bytes(text));

    static List<string> Errors(string resources) => RadConfigParser.Parse($$$"""
        {"applications": [{"application_name": "web", "dockerfile": "Dockerfile", "replica_count": 1, "port": 30000, "resources": {{{resources}}}}],
         "registry": {"address": "127.0.0.1:5000/team"}}
        """).Errors.ToList();

    [Fact]
    public void Resources_the_engine_or_Kubernetes_would_refuse_are_named_with_their_field()
    {
        Assert.Empty(Errors("""{"limits": {"memory": "256Mi", "cpu": "500m"}, "requests": {"memory": "64Mi", "cpu": "100m"}}"""));
        Assert.Equal(["applications[0].resources.limits.memory \"512m\" is less than 1Mi (m means thousandths: did you mean \"512mi\"?)"],
            Errors("""{"limits": {"memory": "512m"}}"""));
        Assert.Equal(["applications[0].resources.limits.memory \"4Mi\" is below 6Mi, the smallest memory limit the Docker engine accepts"],
            Errors("""{"limits": {"memory": "4Mi"}}"""));
        Assert.Equal(["applications[0].resources.limits.cpu \"5m\" is below 10m, the smallest cpu limit the Docker engine accepts"],
            Errors("""{"limits": {"cpu": "5m"}}"""));
        Assert.Equal(["applications[0].resources.requests.memory \"1Gi\" is more than limits.memory \"256Mi\"; a request may not exceed its limit"],
            Errors("""{"limits": {"memory": "256Mi"}, "requests": {"memory": "1Gi"}}"""));
        Assert.Equal(["applications[0].resources.limits.cpu \"lots\" is not a Kubernetes quantity (e.g. \"250m\" or \"0.5\" of cpu, \"128Mi\" or \"1Gi\" of memory)"],
            Errors("""{"limits": {"cpu": "lots"}}"""));
        Assert.Equal(["applications[0].resources.limits.memory \"9Ei\" is too large"], Errors("""{"limits": {"memory": "9Ei"}}"""));
        Assert.Equal(["applications[0].resources.limits.cpu must be a string, found the number 2"], Errors("""{"limits": {"cpu": 2}}"""));
        Assert.Equal(["applications[0].resources.limit is not a known field (did you mean limits?)"], Errors("""{"limit": {"cpu": "1"}}"""));
    }

    [Fact]
    public void A_long_digit_string_is_refused_at_once()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var errors = Errors($$$"""{"limits": {"memory": "{{{new string('9', 500_000)}}}x"}}""");
        // A backtracking parse of 500,000 digits takes minutes; 10 s leaves room for a loaded machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.StartsWith("applications[0].resources.limits.memory \"9999", Assert.Single(errors));
    }

    static ApplicationSpec App(ApplicationResources? resources) => new("web", "Dockerfile", ".", 1, 30000, 8080, resources);

    [Fact]
    public void Default_limits_fill_what_rad_json_leaves_out_and_never_fall_below_a_request()
    {
        var options = new DeployerOptions { DefaultCpuLimit = "500m", DefaultMemoryLimit = "256Mi" };

        Assert.Equal(new ApplicationResources(null, null, "500m", "256Mi"), EffectiveResources.Of(App(null), options));
        Assert.Equal(new ApplicationResources(null, null, "2", "256Mi"), EffectiveResources.Of(App(new(null, null, "2", null)), options));
        Assert.Equal(new ApplicationResources("1", "1Gi", "1", "1Gi"), EffectiveResources.Of(App(new("1", "1Gi", null, null)), options));
        Assert.Equal(new ApplicationResources("100m", "64Mi", "500m", "256Mi"), EffectiveResources.Of(App(new("100m", "64Mi", null, null)), options));
        var broken = Assert.Throws<DeploymentFailedException>(() => EffectiveResources.Of(App(null), new DeployerOptions { DefaultMemoryLimit = "much" }));
        Assert.Contains("Rad__Deployer__DefaultMemoryLimit \"much\"", broken.Message);
    }

    [Fact]
    public void Swarm_tasks_get_limits_and_requests_as_reservations()
    {
        var resources = SwarmServiceSpec.Resources(new ApplicationResources("100m", "64Mi", "500m", "256Mi"))!;

        Assert.Equal((500_000_000L, 268_435_456L), (resources.Limits!.NanoCPUs, resources.Limits.MemoryBytes));
        Assert.Equal((100_000_000L, 67_108_864L), (resources.Reservations!.NanoCPUs, resources.Reservations.MemoryBytes));
        Assert.Null(SwarmServiceSpec.Resources(new ApplicationResources(null, null, "1", "1Gi"))!.Reservations);
    }
}
