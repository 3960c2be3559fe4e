using System.Collections.Concurrent;
using MassTransit;
using Rad.Contracts;

namespace Rad.IntegrationTests.Releases;

/// <summary>
/// Listens on RAD's RabbitMQ, on a temporary queue of its own, to the rollout steps the deployer reports, each with the
/// time it arrived, and to its failure reports; and asks the deployer what runs.
/// </summary>
public sealed class RolloutObserver : IAsyncDisposable
{
    public sealed record Step(DateTimeOffset At, ApplicationRolloutStepped Message);

    readonly ConcurrentQueue<Step> _steps = new();
    readonly ConcurrentQueue<ApplicationDeploymentFailed> _failures = new();
    readonly IBusControl _bus;

    RolloutObserver()
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", "/", h => { h.Username("guest"); h.Password("guest"); });
            cfg.ReceiveEndpoint($"it-rollout-observer-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<ApplicationRolloutStepped>(c =>
                {
                    _steps.Enqueue(new Step(DateTimeOffset.UtcNow, c.Message));
                    return Task.CompletedTask;
                });
                e.Handler<ApplicationDeploymentFailed>(c =>
                {
                    _failures.Enqueue(c.Message);
                    return Task.CompletedTask;
                });
            });
        });
    }

    public static async Task<RolloutObserver> StartAsync()
    {
        var observer = new RolloutObserver();
        await observer._bus.StartAsync();
        return observer;
    }

    public IReadOnlyList<Step> Steps(Guid deploymentId) => _steps.Where(s => s.Message.DeploymentId == deploymentId).ToList();

    /// <summary>The deployer's failure report for the deployment, with whether it had changed what served.</summary>
    public ApplicationDeploymentFailed? Failure(Guid deploymentId) => _failures.FirstOrDefault(f => f.DeploymentId == deploymentId);

    public string Describe(Guid deploymentId) =>
        string.Join("\n", Steps(deploymentId).Select(s => $"  {s.At:HH:mm:ss.fff} {s.Message.Step} {s.Message.State}: {s.Message.Message}"));

    public async Task<RunningApplication?> RunningAsync(string application)
    {
        var client = _bus.CreateRequestClient<DescribeApplications>(RequestTimeout.After(s: 30));
        var answer = await client.GetResponse<ApplicationsDescribed>(new DescribeApplications("local"));
        return answer.Message.Applications.FirstOrDefault(a => a.Name == application);
    }

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
