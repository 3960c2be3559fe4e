using System.CommandLine;

namespace Rad.Cli.Commands;

/// <summary>What every command shares: the global --api and --output options, the API client, and the exit codes of failures.</summary>
public static class CommandRunner
{
    public static readonly Option<string> Api = new("--api") { Description = "RAD's HTTP API (default: $RAD_API or http://127.0.0.1:7080)", Recursive = true };

    public static readonly Option<string> Output = CreateOutput();

    static Option<string> CreateOutput()
    {
        var output = new Option<string>("--output", "-o") { Description = "text or json", Recursive = true, DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }

    /// <summary>Runs <paramref name="action"/> with a client for the API; turns the user's problems into their message and exit code 2.</summary>
    public static async Task<int> RunAsync(ParseResult result, Func<RadClient, Task<int>> action, CancellationToken token)
    {
        var address = result.GetValue(Api) ?? Environment.GetEnvironmentVariable("RAD_API") ?? "http://127.0.0.1:7080";
        if (!Uri.TryCreate(address.TrimEnd('/') + "/", UriKind.Absolute, out var apiUri) || apiUri.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"rad: --api must be an http(s) URL such as http://127.0.0.1:7080, not \"{address}\"");
            return ExitCodes.UsageOrConnection;
        }
        using var client = new RadClient(apiUri, Environment.GetEnvironmentVariable("RAD_API_TOKEN"));
        try
        {
            return await action(client);
        }
        catch (Exception e) when (e is CliException or NotFoundException)
        {
            Console.Error.WriteLine($"rad: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            Console.Error.WriteLine("rad: interrupted (the deployment itself goes on)");
            return 130;
        }
    }

    public static OutputMode Mode(ParseResult result) =>
        result.GetValue(Output) == "json" ? OutputMode.Json : Console.IsOutputRedirected ? OutputMode.Plain : OutputMode.Terminal;

    /// <summary>The API's JSON with --output json, else the sentence for people.</summary>
    public static void Print(ParseResult result, string json, string text) => Console.Out.WriteLine(Mode(result) == OutputMode.Json ? json : text);
}
