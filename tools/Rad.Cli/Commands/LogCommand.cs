using System.CommandLine;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad log ID: the stage log in the original RAD format.</summary>
public static class LogCommand
{
    public static Command Create()
    {
        var id = StatusCommand.IdArgument();
        var log = new Command("log", "Print a deployment's stage log in the original RAD format") { id };
        log.SetAction((result, token) => RunAsync(result, async client =>
        {
            var text = await client.LogAsync(result.GetValue(id), token);
            Print(result, System.Text.Json.JsonSerializer.Serialize(new { id = result.GetValue(id), log = text }), text.TrimEnd('\n'));
            return ExitCodes.Succeeded;
        }, token));
        return log;
    }
}
