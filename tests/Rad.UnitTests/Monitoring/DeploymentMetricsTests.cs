using System.Text;
using Prometheus;
using Rad.Contracts;
using Rad.Status.Monitoring;
using Xunit;

namespace Rad.UnitTests.Monitoring;

public class DeploymentMetricsTests
{
    readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    readonly DeploymentMetrics _metrics;

    public DeploymentMetricsTests() => _metrics = new DeploymentMetrics(Metrics.WithCustomRegistry(_registry));

    async Task<string> ExportAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Before_any_deployment_every_state_and_stage_kind_is_exported_at_zero()
    {
        var text = await ExportAsync();
        Assert.Contains("# TYPE rad_deployments_total counter", text);
        Assert.Contains("rad_deployments_total{state=\"Succeeded\"} 0", text);
        Assert.Contains("rad_deployments_total{state=\"Failed\"} 0", text);
        Assert.Contains("rad_deployments_total{state=\"Superseded\"} 0", text);
        Assert.Contains("# TYPE rad_deployment_duration_seconds histogram", text);
        Assert.Contains("# TYPE rad_stage_duration_seconds histogram", text);
        foreach (var kind in StageKind.All)
            Assert.Contains($"rad_stage_duration_seconds_count{{stage=\"{kind}\"}} 0", text);
    }

    [Fact]
    public async Task Committed_steps_count_each_final_state_once_and_observe_durations_by_stage_kind()
    {
        _metrics.Committed([
            new SagaCommit("InProgress", DeploymentStates.InProgress, null, [new EndedStage("clone", StageStates.Completed, TimeSpan.FromSeconds(0.3))]),
            new SagaCommit("InProgress", DeploymentStates.Succeeded, TimeSpan.FromSeconds(4), [new EndedStage("deploy", StageStates.Completed, TimeSpan.FromSeconds(1.2))]),
            // The same step seen again after the deployment ended (a redelivery): no change.
            new SagaCommit(DeploymentStates.Succeeded, DeploymentStates.Succeeded, TimeSpan.FromSeconds(4), []),
            new SagaCommit("InProgress", DeploymentStates.Failed, TimeSpan.FromSeconds(30), [new EndedStage("build", StageStates.Failed, TimeSpan.FromSeconds(25))]),
        ]);

        var text = await ExportAsync();
        Assert.Contains("rad_deployments_total{state=\"Succeeded\"} 1", text);
        Assert.Contains("rad_deployments_total{state=\"Failed\"} 1", text);
        Assert.Contains("rad_deployment_duration_seconds_count 2", text);
        Assert.Contains("rad_deployment_duration_seconds_sum 34", text);
        Assert.Contains("rad_stage_duration_seconds_count{stage=\"clone\"} 1", text);
        Assert.Contains("rad_stage_duration_seconds_bucket{stage=\"clone\",le=\"0.5\"} 1", text);
        Assert.Contains("rad_stage_duration_seconds_bucket{stage=\"clone\",le=\"0.25\"} 0", text);
        Assert.Contains("rad_stage_duration_seconds_count{stage=\"deploy\"} 1", text);
        Assert.Contains("rad_stages_total{stage=\"build\",state=\"Failed\"} 1", text);
        Assert.Contains("rad_stages_total{stage=\"build\",state=\"Completed\"} 0", text);
    }
}
