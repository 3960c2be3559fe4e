using System.Data.Common;
using MassTransit;
using RabbitMQ.Client.Exceptions;

namespace Rad.Hosting;

/// <summary>
/// How every RAD endpoint rides out its database or broker being away: the message is retried in the consumer for up to
/// ten minutes (quickly at first, then every 5 s, then every 15 s), while RabbitMQ keeps it unacknowledged.
/// Why not MassTransit's delayed redelivery: it needs a message scheduler, and none here survives what it must bridge.
/// RabbitMQ's delayed-message-exchange plugin is absent (PLATFORM.md), MassTransit.Quartz is not served, an in-memory
/// scheduler acknowledges the message and would lose it with the process, and a PostgreSQL-backed one is down exactly
/// during a database outage. A held delivery stays RabbitMQ's: if the service is killed while it waits, the broker
/// hands the message to the next consumer. The whole wait stays far below RabbitMQ's consumer_timeout (30 min).
/// </summary>
public static class OutageRetry
{
    /// <summary>The waits between attempts: 0.25 s to 2 s, then 5 s for half a minute, then 15 s up to ten minutes in all.</summary>
    public static IReadOnlyList<TimeSpan> Intervals { get; } = BuildIntervals();

    /// <summary>Errors that say a database or the broker is away for now (a restart, a fail-over), not that the message is bad.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        DbException db => db.IsTransient,
        ConnectionException or AlreadyClosedException or BrokerUnreachableException => true,
        TimeoutException => exception.InnerException is not null && IsTransient(exception.InnerException),
        _ => exception.InnerException is { } inner && inner is DbException or ConnectionException && IsTransient(inner),
    };

    /// <summary>Add before the endpoint's quick retry, which then lets outages through to this one (<see cref="IgnoreOutages"/>).</summary>
    public static void UseOutageRetry(this IReceiveEndpointConfigurator endpoint) =>
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(IsTransient);
            retry.Intervals(Intervals.ToArray());
        });

    /// <summary>A quick retry (for races and blips) that leaves outages to <see cref="UseOutageRetry"/>.</summary>
    public static void IgnoreOutages(this IRetryConfigurator retry) => retry.Ignore<Exception>(IsTransient);

    static TimeSpan[] BuildIntervals()
    {
        var intervals = new List<TimeSpan> { TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) };
        intervals.AddRange(Enumerable.Repeat(TimeSpan.FromSeconds(5), 6));
        while (intervals.Aggregate(TimeSpan.Zero, (sum, next) => sum + next) < TimeSpan.FromMinutes(10))
            intervals.Add(TimeSpan.FromSeconds(15));
        return intervals.ToArray();
    }
}
