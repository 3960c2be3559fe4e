using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rad.Contracts;

namespace Rad.Hosting;

/// <summary>
/// Once the bus has started, before the service reports healthy: for every pipeline message type (each
/// <see cref="IDeploymentMessage"/>), the serializer's metadata with MassTransit's own options (what the first
/// receive and the first publish of that type would build), its publish endpoint, and one send of a made-up (empty)
/// instance to <see cref="SinkAddress"/>: a non-durable exchange nothing is bound to, so the broker drops it. That send
/// runs MassTransit's send pipeline for the type, which a deployment's first message of each type would otherwise pay
/// for at every hop (40 ms each here). Nothing reaches a queue. Bounded: a broker that does not answer ends it early.
/// </summary>
public sealed class BusWarmup(IBus bus, ILogger<BusWarmup> logger) : IHostedService
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    static readonly MethodInfo WarmOf = typeof(BusWarmup).GetMethod(nameof(WarmAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The message types of a deployment's pipeline: every concrete <see cref="IDeploymentMessage"/> of the contracts.</summary>
    public static IReadOnlyList<Type> MessageTypes { get; } = typeof(IDeploymentMessage).Assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && typeof(IDeploymentMessage).IsAssignableFrom(t))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        foreach (var problem in WarmSerializers())
            logger.LogWarning("Bus warm-up: {Problem}", problem);
        var serializers = watch.Elapsed;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            var sink = await bus.GetSendEndpoint(SinkAddress);
            foreach (var type in MessageTypes)
                await ((Task)WarmOf.MakeGenericMethod(type).Invoke(null, [bus, sink])!).WaitAsync(limit.Token);
            logger.LogInformation("Bus warmed up for {Count} message types in {ElapsedMs:0} ms (serializers {SerializersMs:0} ms)",
                MessageTypes.Count, watch.Elapsed.TotalMilliseconds, serializers.TotalMilliseconds);
        }
        catch (Exception e) when (e is MassTransitException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Bus warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Serializes an empty instance of every message type with MassTransit's options and reads it back, so both
    /// directions' metadata are built. Returns what could not be (a type the bus could not carry either).
    /// </summary>
    public static IReadOnlyList<string> WarmSerializers()
    {
        var problems = new List<string>();
        foreach (var type in MessageTypes)
        {
            try
            {
                var json = JsonSerializer.Serialize(RuntimeHelpers.GetUninitializedObject(type), type, SystemTextJsonMessageSerializer.Options);
                JsonSerializer.Deserialize(json, type, SystemTextJsonMessageSerializer.Options);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                problems.Add($"{type.Name} does not round-trip through MassTransit's serializer: {e.Message}");
            }
        }
        return problems;
    }

    /// <summary>Where the warm-up's made-up messages go: an exchange no queue is bound to (RabbitMQ drops what it routes nowhere).</summary>
    public static Uri SinkAddress { get; } = new("exchange:rad-warmup?durable=false");

    static async Task WarmAsync<T>(IBus bus, ISendEndpoint sink) where T : class
    {
        await bus.GetPublishSendEndpoint<T>();
        await sink.Send((T)RuntimeHelpers.GetUninitializedObject(typeof(T)));
    }
}
