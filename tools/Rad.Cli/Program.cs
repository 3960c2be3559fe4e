using System.CommandLine;
using Rad.Cli;
using Rad.Cli.Commands;

// rad: start and follow RAD deployments. Exit codes: 0 succeeded, 1 the deployment failed, 2 usage or connection error.
var root = new RootCommand("rad: deploy the applications of a git repository and follow every stage")
{
    DeployCommand.Create(), StatusCommand.Create(), LogCommand.Create(), ListCommand.Create(), AppsCommand.Create(), HistoryCommand.Create(),
    RollbackCommand.Create(), UnpinCommand.Create(), RenderCommand.Create(), ClustersCommand.Create(), NotifyCommand.Create(), GcCommand.Create(),
};
root.Options.Add(CommandRunner.Api);
root.Options.Add(CommandRunner.Output);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
        Console.Error.WriteLine($"rad: {error.Message}");
    var command = parsed.CommandResult.Command;
    Console.Error.WriteLine($"Try 'rad {(command == root ? "" : command.Name + " ")}--help'.");
    return ExitCodes.UsageOrConnection;
}
return await parsed.InvokeAsync();
