using System.CommandLine;
using Rad.Kubernetes;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad clusters add|create|list|remove: the Kubernetes clusters RAD deploys to. No credential is ever printed.</summary>
public static class ClustersCommand
{
    public static Command Create() =>
        new("clusters", "Register, create, list and remove the Kubernetes clusters RAD deploys to") { Add(), CreateClusterApi(), List(), Remove() };

    static Argument<string> NameArgument() => new("name") { Description = "the cluster's name in RAD (lowercase letters, digits, '-')" };

    static Command Add()
    {
        var name = NameArgument();
        var kubeconfigFile = new Option<string>("--kubeconfig") { Description = "kubeconfig file ('-' reads standard input; default: $KUBECONFIG or ~/.kube/config)" };
        var kubeContext = new Option<string?>("--context") { Description = "context of the kubeconfig (default: its current-context)" };
        var add = new Command("add", "Register a Kubernetes cluster by kubeconfig; files it names are read here and sent inline, credentials are never printed")
            { name, kubeconfigFile, kubeContext };
        add.SetAction((result, token) => RunAsync(result, async client =>
        {
            var file = result.GetValue(kubeconfigFile) ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(':')[0]
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
            string text;
            try
            {
                text = file == "-" ? await Console.In.ReadToEndAsync(token) : await File.ReadAllTextAsync(file, token);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot read the kubeconfig {file}: {e.Message}");
            }
            KubeContext context;
            try
            {
                context = Kubeconfig.Load(text, result.GetValue(kubeContext), file == "-" ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(file)));
            }
            catch (KubeconfigException e)
            {
                throw new CliException($"{file}: {e.Message}");
            }
            var answer = await client.AddClusterAsync(new { name = result.GetValue(name), kubeconfig = Kubeconfig.Flatten(context), context = context.Name }, token);
            var check = System.Text.Json.JsonDocument.Parse(answer).RootElement.GetProperty("check");
            Print(result, answer, $"registered cluster {result.GetValue(name)}: {context}: " +
                (check.GetProperty("reachable").ValueKind switch
                {
                    System.Text.Json.JsonValueKind.True => $"reachable, Kubernetes {check.GetProperty("version").GetString()}",
                    System.Text.Json.JsonValueKind.False => $"NOT reachable now: {check.GetProperty("problem").GetString()}",
                    _ => check.GetProperty("problem").GetString(),
                }));
            return ExitCodes.Succeeded;
        }, token));
        return add;
    }

    static Command CreateClusterApi()
    {
        var name = NameArgument();
        var management = new Option<string>("--management") { Description = "the registered Kubernetes cluster that runs Cluster API", Required = true };
        var templateFile = new Option<string>("--template") { Description = "YAML file: a Cluster named ${CLUSTER_NAME} with its control plane and machines (or a ClusterClass topology)", Required = true };
        var variable = new Option<string[]>("--var") { Description = "NAME=VALUE for a ${NAME} of the template (repeatable)", AllowMultipleArgumentsPerToken = false };
        var workloadNamespace = new Option<string>("--namespace") { Description = "namespace of the applications in the new cluster", DefaultValueFactory = _ => "default" };
        var provider = new Option<string>("--provider") { Description = "cluster-api", DefaultValueFactory = _ => "cluster-api" };
        provider.AcceptOnlyFromAmong("cluster-api");
        var create = new Command("create", "Define a cluster that RAD creates through Cluster API at the first deployment to it")
            { name, provider, management, templateFile, variable, workloadNamespace };
        create.SetAction((result, token) => RunAsync(result, async client =>
        {
            var template = await File.ReadAllTextAsync(result.GetValue(templateFile)!, token);
            var pairs = (result.GetValue(variable) ?? []).Select(v => v.Split('=', 2)).ToList();
            if (pairs.FirstOrDefault(p => p.Length != 2 || p[0].Length == 0) is { } bad)
                throw new CliException($"--var {string.Join('=', bad)} is not NAME=VALUE");
            var answer = await client.AddClusterAsync(new
            {
                name = result.GetValue(name), provider = "cluster-api", management = result.GetValue(management), template,
                variables = pairs.ToDictionary(p => p[0], p => p[1]), @namespace = result.GetValue(workloadNamespace),
            }, token);
            Print(result, answer, $"defined cluster {result.GetValue(name)}: Cluster API in {result.GetValue(management)} creates it at the first deployment to it");
            return ExitCodes.Succeeded;
        }, token));
        return create;
    }

    static Command List()
    {
        var list = new Command("list", "List the clusters RAD can deploy to");
        list.SetAction((result, token) => RunAsync(result, async client =>
        {
            var answer = await client.ClustersAsync(token);
            if (Mode(result) == OutputMode.Json)
            {
                Console.Out.WriteLine(answer);
                return ExitCodes.Succeeded;
            }
            Console.Out.WriteLine($"{"NAME",-20}  {"KIND",-10}  {"NAMESPACE",-16}  {"AUTH",-20}  SERVER");
            foreach (var c in System.Text.Json.JsonDocument.Parse(answer).RootElement.EnumerateArray())
                Console.Out.WriteLine($"{c.GetProperty("name").GetString(),-20}  {c.GetProperty("kind").GetString(),-10}  {c.GetProperty("namespace").GetString() ?? "-",-16}  {c.GetProperty("auth").GetString() ?? "-",-20}  {c.GetProperty("server").GetString()}");
            return ExitCodes.Succeeded;
        }, token));
        return list;
    }

    static Command Remove()
    {
        var name = NameArgument();
        var remove = new Command("remove", "Forget a registered cluster (what runs on it keeps running; a cluster RAD created through Cluster API is deleted)") { name };
        remove.SetAction((result, token) => RunAsync(result, async client =>
        {
            await client.RemoveClusterAsync(result.GetValue(name)!, token);
            Print(result, $"{{\"removed\":\"{result.GetValue(name)}\"}}", $"removed cluster {result.GetValue(name)}");
            return ExitCodes.Succeeded;
        }, token));
        return remove;
    }
}
