using MassTransit;
using Npgsql;
using Rad.Hosting;
using Xunit;

namespace Rad.UnitTests;

public class OutageRetryTests
{
    [Theory]
    [InlineData("57P01")] // admin_shutdown: the server is stopping
    [InlineData("57P03")] // cannot_connect_now: the server is starting
    [InlineData("08006")] // connection_failure
    public void A_database_that_is_away_is_an_outage(string sqlState) =>
        Assert.True(OutageRetry.IsTransient(new PostgresException("away", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void A_database_that_cannot_be_reached_is_an_outage_also_when_wrapped() =>
        Assert.True(OutageRetry.IsTransient(new SagaException("saga failed", typeof(object), Guid.Empty,
            new NpgsqlException("Failed to connect to 127.0.0.1:5432", new System.Net.Sockets.SocketException(111)))));

    [Fact]
    public void A_broker_connection_that_is_gone_is_an_outage() =>
        Assert.True(OutageRetry.IsTransient(new RabbitMqConnectionException("broker unreachable")));

    [Theory]
    [InlineData("22P05")] // untranslatable_character: the message itself is bad
    [InlineData("23505")] // unique_violation
    public void A_database_that_refuses_the_data_is_no_outage(string sqlState) =>
        Assert.False(OutageRetry.IsTransient(new PostgresException("refused", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void A_bug_is_no_outage()
    {
        Assert.False(OutageRetry.IsTransient(new ArgumentNullException("input")));
        Assert.False(OutageRetry.IsTransient(new InvalidOperationException("wrapped", new NullReferenceException())));
        Assert.False(OutageRetry.IsTransient(new TimeoutException("a worker's own timeout")));
    }

    [Fact]
    public void An_outage_is_ridden_out_for_ten_minutes_checking_at_least_every_15_s_and_well_within_the_broker_s_consumer_timeout()
    {
        var total = OutageRetry.Intervals.Aggregate(TimeSpan.Zero, (sum, next) => sum + next);
        Assert.InRange(total, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10.5));
        Assert.True(total < TimeSpan.FromMinutes(30) / 2, "RabbitMQ closes a channel that holds a delivery for 30 min");
        Assert.Equal(TimeSpan.FromMilliseconds(250), OutageRetry.Intervals[0]);
        Assert.True(OutageRetry.Intervals.All(i => i <= TimeSpan.FromSeconds(15)));
        Assert.Equal(OutageRetry.Intervals.Order(), OutageRetry.Intervals);
    }
}
