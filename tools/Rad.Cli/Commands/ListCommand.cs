using System.CommandLine;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad list [--limit N]: the latest deployments, newest first.</summary>
public static class ListCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "how many of the latest deployments (1-200)", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "List the latest deployments") { limit };
        list.SetAction((result, token) => RunAsync(result, async client =>
        {
            var (views, raw) = await client.ListAsync(result.GetValue(limit), token);
            if (Mode(result) == OutputMode.Json)
                Console.Out.WriteLine(raw);
            else
                Render.List(views);
            return ExitCodes.Succeeded;
        }, token));
        return list;
    }
}
