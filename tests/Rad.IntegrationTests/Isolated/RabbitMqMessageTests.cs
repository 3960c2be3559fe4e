using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests.Isolated;

/// <summary>The pipeline's messages on a broker of the test's own: what goes in comes out, and a broker restart loses nothing.</summary>
public sealed class RabbitMqMessageTests(OwnedRabbitMq rabbit) : IClassFixture<OwnedRabbitMq>
{
    static readonly ApplicationSpec Web = new("web", "web/Dockerfile", "web", 2, 30080, 8080, new ApplicationResources("100m", "64Mi", null, "128Mi"), "ClusterIP");

    [Fact]
    public async Task Every_stage_contract_arrives_as_it_was_published()
    {
        var id = NewId.NextGuid();
        object[] sent =
        [
            new RequestDeployment(id, "git://127.0.0.1:9418/app.git", "main", "rad.json", "local", DateTimeOffset.UtcNow, "supersede"),
            new CloneRepository(id, "git://127.0.0.1:9418/app.git", "main", "rad.json"),
            new RepositoryCloned(id, new string('c', 40), "/work/it", "127.0.0.1:5000/it", [Web, Web with { Name = "api", Resources = null }]),
            new BuildImage(id, "git://127.0.0.1:9418/app.git", new string('c', 40), "/work/it", "127.0.0.1:5000/it", Web),
            new ImageBuilt(id, "web", "127.0.0.1:5000/it/web", "sha256:" + new string('d', 64), Reused: true),
            new DeployApplication(id, "local", Network: "rad", Namespace: null, "git://127.0.0.1:9418/app.git", new string('c', 40), Web, "127.0.0.1:5000/it/web@sha256:" + new string('d', 64)),
            new ApplicationDeployed(id, "web", "http://127.0.0.1:30080", 2, Changed: false),
            new DeploymentFinished(id, Succeeded: true, "/work/it"),
        ];
        var received = new ConcurrentDictionary<Type, object>();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            rabbit.ConfigureHost(cfg);
            cfg.ReceiveEndpoint($"tc-contracts-{id:N}", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Handler<RequestDeployment>(c => Record(c.Message));
                endpoint.Handler<CloneRepository>(c => Record(c.Message));
                endpoint.Handler<RepositoryCloned>(c => Record(c.Message));
                endpoint.Handler<BuildImage>(c => Record(c.Message));
                endpoint.Handler<ImageBuilt>(c => Record(c.Message));
                endpoint.Handler<DeployApplication>(c => Record(c.Message));
                endpoint.Handler<ApplicationDeployed>(c => Record(c.Message));
                endpoint.Handler<DeploymentFinished>(c => Record(c.Message));
            });
        });
        await bus.StartAsync();
        try
        {
            foreach (var message in sent)
                await bus.Publish(message);
            await Until(() => received.Count == sent.Length, TimeSpan.FromSeconds(30), () => $"received only {string.Join(", ", received.Keys.Select(k => k.Name))}");
        }
        finally
        {
            await bus.StopAsync();
        }

        foreach (var message in sent)
            Assert.Equal(JsonSerializer.Serialize(message, message.GetType()), JsonSerializer.Serialize(received[message.GetType()], message.GetType()));

        Task Record<T>(T message) where T : class
        {
            received[typeof(T)] = message;
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_command_queued_while_no_worker_runs_is_still_there_after_the_broker_restarts()
    {
        var queue = $"tc-durable-{NewId.NextGuid():N}";
        var command = new BuildImage(NewId.NextGuid(), "git://127.0.0.1:9418/app.git", new string('e', 40), "/work/it", "127.0.0.1:5000/it", Web);
        var sender = Bus.Factory.CreateUsingRabbitMq(rabbit.ConfigureHost);
        await sender.StartAsync();
        try
        {
            await (await sender.GetSendEndpoint(new Uri($"queue:{queue}"))).Send(command);
        }
        finally
        {
            await sender.StopAsync();
        }

        await rabbit.RestartAsync();

        var received = new TaskCompletionSource<BuildImage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            rabbit.ConfigureHost(cfg);
            cfg.ReceiveEndpoint(queue, endpoint => endpoint.Handler<BuildImage>(c =>
            {
                received.TrySetResult(c.Message);
                return Task.CompletedTask;
            }));
        });
        await worker.StartAsync();
        try
        {
            Assert.Equal(command, await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [Fact]
    public async Task A_command_being_handled_when_the_broker_restarts_is_delivered_again_to_the_reconnected_worker()
    {
        var command = new BuildImage(NewId.NextGuid(), "git://127.0.0.1:9418/app.git", new string('f', 40), "/work/it", "127.0.0.1:5000/it", Web);
        var deliveries = new ConcurrentQueue<(bool Redelivered, BuildImage Message)>();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            rabbit.ConfigureHost(cfg);
            cfg.ReceiveEndpoint($"tc-redeliver-{command.DeploymentId:N}", endpoint => endpoint.Handler<BuildImage>(async c =>
            {
                deliveries.Enqueue((c.ReceiveContext.Redelivered, c.Message));
                if (firstStarted.TrySetResult())
                    await releaseFirst.Task; // a long build, still running while the broker goes down and comes back
            }));
        });
        await worker.StartAsync();
        try
        {
            await worker.Publish(command);
            await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var restart = Stopwatch.StartNew();
            await rabbit.RestartAsync();
            restart.Stop();
            releaseFirst.SetResult();

            await Until(() => deliveries.Count >= 2, TimeSpan.FromSeconds(60), () => $"{deliveries.Count} delivery(ies) after a {restart.Elapsed.TotalSeconds:0.0} s restart");
            await Task.Delay(1000); // a third delivery would show up by now
            Assert.Equal([(false, command), (true, command)], deliveries);
        }
        finally
        {
            releaseFirst.TrySetResult();
            await worker.StopAsync();
        }
    }

    static async Task Until(Func<bool> condition, TimeSpan limit, Func<string> state)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
                throw new TimeoutException($"not within {limit.TotalSeconds:0} s: {state()}");
            await Task.Delay(100);
        }
    }
}
