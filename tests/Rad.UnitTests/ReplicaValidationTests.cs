using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rad.Clusters.Swarm;
using Rad.Contracts;
using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

public class ReplicaValidationTests
{
    [Fact]
    public async Task A_replica_that_starts_listening_late_is_asked_again_before_a_whole_interval()
    {
        var port = FreePort();
        var health = HealthCheck.TcpDefault with { Interval = TimeSpan.FromSeconds(20) };
        var watch = Stopwatch.StartNew();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        var late = Task.Delay(300).ContinueWith(_ => listener.Start());

        var problem = await ReplicaValidation.RunAsync([new RunningTask("t1", "image", "127.0.0.1")], port, health, successes: 1,
            TimeSpan.FromSeconds(60), _ => Task.CompletedTask, CancellationToken.None);

        await late;
        Assert.Null(problem);
        // Refused at first; answered on a retry soon after it listened, not after the 20 s interval.
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Passes_in_a_row_stay_an_interval_apart()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var health = HealthCheck.TcpDefault with { Interval = TimeSpan.FromMilliseconds(400) };
        var watch = Stopwatch.StartNew();

        var problem = await ReplicaValidation.RunAsync([new RunningTask("t1", "image", "127.0.0.1")], port, health, successes: 3,
            TimeSpan.FromSeconds(30), _ => Task.CompletedTask, CancellationToken.None);

        Assert.Null(problem);
        // Two intervals are 800 ms; a timer may fire a millisecond or so early. Passes 100 ms apart (the first-answer retry) would take about 200 ms.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(700), $"three passes took {watch.Elapsed}, less than two intervals");
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
