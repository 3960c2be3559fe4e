using System.CommandLine;
using Rad.Contracts;

namespace Rad.Cli.Commands;

/// <summary>rad render --target kubernetes DIR: the manifests RAD would apply, without any cluster.</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "what to render for: kubernetes", Required = true };
        target.AcceptOnlyFromAmong("kubernetes");
        var directory = new Argument<string>("dir") { Description = "a git checkout holding rad.json (its HEAD commit is used)" };
        var config = new Option<string?>("--config") { Description = "path of rad.json inside the repository (default: rad.json)" };
        var ns = new Option<string>("--namespace", "-n") { Description = "namespace of the objects (default: default)", DefaultValueFactory = _ => "default" };
        var render = new Command("render", "Print the manifests RAD would apply for a checkout, as YAML, without any cluster") { target, directory, config, ns };
        render.SetAction(async (result, token) =>
        {
            try
            {
                Console.Out.Write(await KubernetesRender.RenderAsync(result.GetValue(directory)!, result.GetValue(config) ?? DeploymentDefaults.ConfigPath, result.GetValue(ns)!, token));
                return ExitCodes.Succeeded;
            }
            catch (CliException e)
            {
                Console.Error.WriteLine($"rad: {e.Message}");
                return ExitCodes.UsageOrConnection;
            }
        });
        return render;
    }
}
