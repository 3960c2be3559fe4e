using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Rad.Contracts;
using Rad.Status.Notifications;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>The status service killed (SIGKILL) while a delivery waits to retry.</summary>
public sealed class NotificationCrashTests(SlowRetryRad rad, NotificationReceiver receiver, ITestOutputHelper output)
    : NotificationInterruptionTests(rad, receiver, output, signal: 9), IClassFixture<SlowRetryRad>, IClassFixture<NotificationReceiver>
{
    [Fact]
    public Task A_status_service_killed_between_two_attempts_loses_no_delivery_and_never_sends_a_delivered_one_again() => RunAsync();
}

/// <summary>
/// The status service stopped (SIGTERM, as scripts/down and service managers stop it) while a delivery waits to retry,
/// its wait longer than the time a stopping service gives its consumers.
/// </summary>
public sealed class NotificationShutdownTests(VerySlowRetryRad rad, NotificationReceiver receiver, ITestOutputHelper output)
    : NotificationInterruptionTests(rad, receiver, output, signal: 15), IClassFixture<VerySlowRetryRad>, IClassFixture<NotificationReceiver>
{
    [Fact]
    public Task A_status_service_stopped_between_two_attempts_loses_no_delivery_and_never_sends_a_delivered_one_again() => RunAsync();
}

/// <summary>
/// The status service ended by <c>signal</c> while a delivery waits to retry: the delivery is not lost, the status service
/// that replaces it resumes at the next attempt, and a repeated request for a delivery that has succeeded sends nothing.
/// </summary>
public abstract class NotificationInterruptionTests(RetryingRad rad, NotificationReceiver receiver, ITestOutputHelper output, int signal)
{
    protected async Task RunAsync()
    {
        var path = $"/flaky/{Guid.NewGuid():N}";
        using var registered = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/notifications"), new { url = new Uri(receiver.BaseAddress, path).ToString() });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var notification = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var name = $"tc-ncrash-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var deployment = await rad.DeployAsync(await rad.PublishRepoAsync(name, Repos.WebApp(name, port, registry: rad.Registry)));
        Assert.Equal(DeploymentStates.Succeeded, (await rad.WaitForEndAsync(deployment, TimeSpan.FromMinutes(3))).State);

        // The first attempt got a 500; the status service now waits FirstDelay before the second. Kill it there.
        var first = Assert.Single(await receiver.WaitForAsync(path, 1, TimeSpan.FromSeconds(30)));
        var statusPort = rad.ServicePorts["status"];
        var signalledAt = DateTimeOffset.UtcNow;
        var killed = await EndStatusServiceAsync(statusPort, signal);
        var killedAt = DateTimeOffset.UtcNow;
        output.WriteLine($"signal {signal} to the status service (pid {killed}) {(signalledAt - first.At).TotalSeconds:0.00} s after the first attempt; it exited {(killedAt - signalledAt).TotalSeconds:0.00} s later");
        Assert.True(signalledAt - first.At < rad.FirstDelay - TimeSpan.FromSeconds(1), "the signal came too late to land between the attempts");
        // Past the time of the second attempt: nobody may send it now.
        var due = first.At + rad.FirstDelay + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
        if (due > TimeSpan.Zero)
            await Task.Delay(due);
        Assert.Single(receiver.To(path));

        var bin = Path.Combine(Stack.FindRoot(), "services", "Rad.Status", "bin", "Release", "net10.0");
        var log = Path.Combine(Path.GetTempPath(), $"rad-notify-crash-{Guid.NewGuid():N}.log");
        var replacement = RecordedProcess.Start("status (replacement)", log, bin, rad.Settings,
            "dotnet", Path.Combine(bin, "Rad.Status.dll"), "--urls", $"http://127.0.0.1:{statusPort}");
        try
        {
            var requests = await receiver.WaitForAsync(path, 2, TimeSpan.FromSeconds(60));
            output.WriteLine($"the second attempt came {(requests[1].At - killedAt).TotalSeconds:0.0} s after the kill");
            Assert.Equal(first.Header("X-Rad-Delivery"), requests[1].Header("X-Rad-Delivery"));
            var attempts = JsonDocument.Parse(await rad.Http.GetStringAsync(new Uri(rad.Api, $"/api/notifications/{notification}/deliveries"))).RootElement
                .EnumerateArray().Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("statusCode").GetInt32(), a.GetProperty("outcome").GetString())).ToList();
            Assert.Equal([(2, 200, "delivered"), (1, 500, "failed")], attempts);

            // The same request again, as a redelivery or a second notifier would make it: it is checked and sends nothing.
            var bus = Bus.Factory.CreateUsingRabbitMq(rad.Rabbit.ConfigureHost);
            await bus.StartAsync();
            try
            {
                await bus.Publish(new DeliverNotification(notification, deployment, NotificationEvents.Succeeded));
            }
            finally
            {
                await bus.StopAsync();
            }
            var watch = Stopwatch.StartNew();
            while (!File.ReadAllText(log).Contains("is already delivered", StringComparison.Ordinal))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the repeated request was not handled within 30 s\n{replacement.Tail()}");
                await Task.Delay(200);
            }
            Assert.Equal(2, receiver.To(path).Count);
        }
        finally
        {
            output.WriteLine(replacement.Tail(40));
            using var removed = await rad.Http.DeleteAsync(new Uri(rad.Api, $"/api/notifications/{notification}"));
            await replacement.DisposeAsync();
            File.Delete(log);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the status service of this test's RAD, found by its own port and checked to be Rad.Status first; waits until it has exited.</summary>
    static async Task<int> EndStatusServiceAsync(int port, int signal)
    {
        var listening = await Stack.RunAsync("ss", "-Hltnp", $"sport = :{port}");
        var match = System.Text.RegularExpressions.Regex.Match(listening, @"pid=(\d+)");
        Assert.True(match.Success, $"no process listens on 127.0.0.1:{port}: {listening}");
        var pid = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
        Assert.Contains("Rad.Status.dll", commandLine, StringComparison.Ordinal);
        using var process = Process.GetProcessById(pid);
        await Stack.RunAsync("kill", $"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        return pid;
    }
}
