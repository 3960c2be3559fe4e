using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rad.Contracts;

namespace Rad.Hosting;

/// <summary>
/// Before the service reports healthy: the non-backtracking regular expressions that every service runs over what it
/// stores and shows (<see cref="Redaction"/>, <see cref="PlainText"/>) built and run once. The engine builds its
/// automaton on first use, and that code (about 160 methods in the status service) was otherwise compiled during the
/// first deployment after a start.
/// </summary>
public sealed class TextWarmup(ILogger<TextWarmup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        _ = Redaction.Credentials("git clone https://user:token@example.invalid/team/app.git failed: repository not found");
        _ = Redaction.Credentials("git://127.0.0.1:9418/app.git at main");
        _ = PlainText.WithoutTerminalCodes("\u001b[1mStep 1/2 :\u001b[0m FROM scratch\n");
        logger.LogInformation("Text filters warmed up in {ElapsedMs:0} ms", watch.Elapsed.TotalMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
