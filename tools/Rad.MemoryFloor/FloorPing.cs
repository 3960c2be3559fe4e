using MassTransit;

namespace Rad.MemoryFloor;

public sealed record FloorPing(Guid Id);

public sealed class FloorPingConsumer : IConsumer<FloorPing>
{
    static long consumed;

    /// <summary>How many pings this process has consumed (so the benchmark can see the bus carried them).</summary>
    public static long Consumed => Interlocked.Read(ref consumed);

    public Task Consume(ConsumeContext<FloorPing> context)
    {
        Interlocked.Increment(ref consumed);
        return Task.CompletedTask;
    }
}
