using Rad.Contracts;
using Rad.Contracts.Config;
using Xunit;

namespace Rad.UnitTests;

public class RolloutConfigTests
{
    static RadConfigParseResult Parse(string application, string root = "") => RadConfigParser.Parse($$"""
        { {{root}} "applications": [ { "application_name": "web", "dockerfile": "Dockerfile", "replica_count": 2, "port": 30000 {{application}} } ],
          "registry": { "address": "127.0.0.1:5000/t" } }
        """);

    [Fact]
    public void Health_strategy_and_canary_are_read_with_their_defaults()
    {
        var result = Parse("""
            , "health": {"path": "/healthz", "expect": "2xx-3xx", "interval": "500ms", "timeout": "2s", "successes": 3},
              "strategy": "canary", "canary": {"steps": [10, 50, 100], "pause": "5s", "max_error_rate": 0.05}
            """, "\"rollback_on_failure\": false,");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var app = result.Config!.Applications[0];
        Assert.Equal(new HealthCheck("/healthz", "2xx-3xx", TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), 3), app.Health);
        Assert.Equal(RolloutPolicy.CanaryStrategy, app.Rollout!.Strategy);
        Assert.Equal([10, 50, 100], app.Rollout.Canary!.Steps);
        Assert.Equal((TimeSpan.FromSeconds(5), 0.05), (app.Rollout.Canary.Pause, app.Rollout.Canary.MaxErrorRate));
        Assert.False(result.Config.RollbackOnFailure);
    }

    [Fact]
    public void Blue_green_keeps_the_previous_set_five_minutes_unless_told_and_absent_settings_stay_null()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), Parse(", \"strategy\": \"blue-green\"").Config!.Applications[0].Rollout!.KeepPrevious);
        Assert.Equal(TimeSpan.FromSeconds(90), Parse(", \"strategy\": \"blue-green\", \"keep_previous\": \"90s\"").Config!.Applications[0].Rollout!.KeepPrevious);
        var plain = Parse("").Config!;
        Assert.Null(plain.Applications[0].Health);
        Assert.Null(plain.Applications[0].Rollout);
        Assert.True(plain.RollbackOnFailure);
    }

    [Theory]
    [InlineData(", \"strategy\": \"big-bang\"", "applications[0].strategy \"big-bang\" must be one of rolling, recreate, blue-green, canary")]
    [InlineData(", \"keep_previous\": \"5m\"", "applications[0].keep_previous applies to \"strategy\": \"blue-green\" only")]
    [InlineData(", \"canary\": {\"steps\": [10, 100]}", "applications[0].canary applies to \"strategy\": \"canary\" only")]
    [InlineData(", \"strategy\": \"canary\", \"canary\": {\"steps\": [10, 50]}", "applications[0].canary.steps [10, 50] must end at 100")]
    [InlineData(", \"strategy\": \"canary\", \"canary\": {\"steps\": [50, 10, 100]}", "applications[0].canary.steps [50, 10, 100] must rise step by step")]
    [InlineData(", \"strategy\": \"canary\", \"canary\": {\"max_error_rate\": 2}", "applications[0].canary.max_error_rate must be a fraction between 0 and 1")]
    [InlineData(", \"health\": {\"interval\": \"soon\"}", "applications[0].health.interval must be a duration such as \"500ms\", \"2s\" or \"5m\", found the string \"soon\"")]
    [InlineData(", \"health\": {\"timeout\": \"2h\"}", "applications[0].health.timeout must be between 100ms and 1m (found \"2h\")")]
    [InlineData(", \"health\": {\"expect\": \"2xx\"}", "applications[0].health.expect needs applications[0].health.path")]
    [InlineData(", \"health\": {\"path\": \"/h\", \"expect\": \"ok\"}", "applications[0].health.expect \"ok\" must be a status (\"200\"), a class (\"2xx\")")]
    [InlineData(", \"health\": {\"path\": \"healthz\"}", "applications[0].health.path \"healthz\" must be an absolute URL path")]
    [InlineData(", \"health\": {\"path\": \"/h\", \"sucesses\": 3}", "applications[0].health.sucesses is not a known field (did you mean successes?)")]
    public void Each_mistake_is_named_with_its_path(string application, string error)
    {
        var result = Parse(application);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public void Rollback_on_failure_must_be_a_boolean() =>
        Assert.Contains("rollback_on_failure must be true or false, found the string \"yes\"", Parse("", "\"rollback_on_failure\": \"yes\",").Errors);

    [Theory]
    [InlineData("2xx", 200, true)]
    [InlineData("2xx", 302, false)]
    [InlineData("200", 200, true)]
    [InlineData("200", 204, false)]
    [InlineData("2xx-3xx", 302, true)]
    [InlineData("200-204", 204, true)]
    [InlineData("200-204", 205, false)]
    public void Expected_statuses_are_codes_classes_and_ranges(string expect, int status, bool accepted) =>
        Assert.Equal(accepted, HealthStatus.Accepts(expect, status));
}
