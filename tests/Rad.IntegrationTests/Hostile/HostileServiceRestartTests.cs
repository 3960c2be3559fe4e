using System.Diagnostics;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 8: the machine's own service commands work on the broker and database that scripts/up started.
/// A broker started without the init script's pid file made `service rabbitmq-server restart` wait forever.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class HostileServiceRestartTests(Stack stack)
{
    [Theory]
    [InlineData("rabbitmq-server")]
    [InlineData("postgresql")]
    public async Task The_systems_service_restart_works_and_RAD_deploys_afterwards(string service)
    {
        var watch = Stopwatch.StartNew();
        var (exitCode, output) = await ServiceAsync(service, "restart", TimeSpan.FromSeconds(90));
        watch.Stop();

        Assert.True(exitCode == 0, $"service {service} restart exited {exitCode} after {watch.Elapsed.TotalSeconds:0.0} s: {output}");

        var name = Stack.UniqueName("after-restart");
        var deployment = await stack.WaitForEndAsync(
            await stack.DeployAsync(await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()))), TimeSpan.FromMinutes(3));
        Assert.Equal("Succeeded", deployment.State);
    }

    /// <summary>Runs `service NAME VERB`; a run past the limit is killed (only that process tree) and reported as exit -1.</summary>
    static async Task<(int ExitCode, string Output)> ServiceAsync(string name, string verb, TimeSpan limit)
    {
        var start = new ProcessStartInfo("service") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(name);
        start.ArgumentList.Add(verb);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"no answer within {limit.TotalSeconds:0} s");
        }
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
