using System.CommandLine;
using Rad.Cli;
using Rad.Contracts;

// rad: start and follow RAD deployments. Exit codes: 0 succeeded, 1 the deployment failed, 2 usage or connection error.
var api = new Option<string>("--api") { Description = "RAD's HTTP API (default: $RAD_API or http://127.0.0.1:7080)", Recursive = true };
var output = new Option<string>("--output", "-o") { Description = "text or json", Recursive = true, DefaultValueFactory = _ => "text" };
output.AcceptOnlyFromAmong("text", "json");

var repository = new Argument<string>("repository") { Description = "git URL of the repository holding rad.json (or a local path, where RAD allows them)" };
var gitRef = new Option<string?>("--ref") { Description = "branch, tag or commit (default: the repository's default branch)" };
var config = new Option<string?>("--config") { Description = "path of rad.json inside the repository (default: rad.json)" };
var cluster = new Option<string?>("--cluster") { Description = "cluster to deploy to (default: local)" };
var concurrency = new Option<string?>("--concurrency") { Description = "when a deployment of the same repository and cluster runs: queue (wait) or supersede (replace it)" };
concurrency.AcceptOnlyFromAmong("queue", "supersede");
var follow = new Option<bool>("--follow", "-f") { Description = "show each stage live until the deployment ends; exit 0 if it succeeded, 1 if not" };
var viaBus = new Option<bool>("--bus") { Description = "publish the deploy command on RabbitMQ instead of calling HTTP (then follow by HTTP)" };
var rabbitMq = new Option<string>("--rabbitmq") { Description = "RabbitMQ for --bus (default: $RAD_RABBITMQ or amqp://guest:guest@127.0.0.1:5672/)" };
var id = new Argument<Guid>("id") { Description = "deployment id" };
var limit = new Option<int>("--limit") { Description = "how many of the latest deployments (1-200)", DefaultValueFactory = _ => 20 };

var deploy = new Command("deploy", "Deploy the applications of a repository") { repository, gitRef, config, cluster, concurrency, follow, viaBus, rabbitMq };
deploy.SetAction((result, token) => Run(result, async client =>
{
    var repo = LocalPathOrUrl(result.GetValue(repository)!);
    Guid deploymentId;
    if (result.GetValue(viaBus))
    {
        var rabbit = result.GetValue(rabbitMq) ?? Environment.GetEnvironmentVariable("RAD_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/";
        if (!Uri.TryCreate(rabbit, UriKind.Absolute, out var rabbitUri) || rabbitUri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
            throw new CliException($"--rabbitmq must be an amqp:// URL such as amqp://guest:guest@127.0.0.1:5672/");
        deploymentId = await BusDeploy.PublishAsync(rabbitUri, new Rad.Contracts.RequestDeployment(MassTransit.NewId.NextGuid(), repo,
            result.GetValue(gitRef) ?? DeploymentDefaults.Ref, result.GetValue(config) ?? DeploymentDefaults.ConfigPath, result.GetValue(cluster) ?? DeploymentDefaults.Cluster, DateTimeOffset.UtcNow,
            result.GetValue(concurrency)), token);
        if (!result.GetValue(follow))
        {
            Print(result, $"{{\"id\":\"{deploymentId}\"}}", $"published deployment {deploymentId} on the bus; follow it with: rad status {deploymentId} --follow");
            return ExitCodes.Succeeded;
        }
    }
    else
    {
        var accepted = await client.DeployAsync(new
        {
            repository = repo,
            @ref = result.GetValue(gitRef),
            configPath = result.GetValue(config),
            cluster = result.GetValue(cluster),
            concurrency = result.GetValue(concurrency),
        }, token);
        deploymentId = System.Text.Json.JsonDocument.Parse(accepted).RootElement.GetProperty("id").GetGuid();
        if (!result.GetValue(follow))
        {
            Print(result, accepted, $"deployment {deploymentId} accepted; follow it with: rad status {deploymentId} --follow");
            return ExitCodes.Succeeded;
        }
    }
    if (Mode(result) != OutputMode.Json)
        Console.Error.WriteLine($"deployment {deploymentId}");
    return await new Follower(client, Mode(result)).FollowAsync(deploymentId, token);
}, token));

var status = new Command("status", "Show a deployment; with --follow, follow it to its end") { id, follow };
status.SetAction((result, token) => Run(result, async client =>
{
    var deploymentId = result.GetValue(id);
    if (result.GetValue(follow))
        return await new Follower(client, Mode(result)).FollowAsync(deploymentId, token);
    var (view, raw) = await client.GetAsync(deploymentId, token);
    if (Mode(result) == OutputMode.Json)
        Console.Out.WriteLine(raw);
    else
        Render.Status(view);
    return view.State is DeploymentStates.Failed or DeploymentStates.Superseded ? ExitCodes.DeploymentFailed : ExitCodes.Succeeded;
}, token));

var log = new Command("log", "Print a deployment's stage log in the original RAD format") { id };
log.SetAction((result, token) => Run(result, async client =>
{
    var text = await client.LogAsync(result.GetValue(id), token);
    Print(result, System.Text.Json.JsonSerializer.Serialize(new { id = result.GetValue(id), log = text }), text.TrimEnd('\n'));
    return ExitCodes.Succeeded;
}, token));

var list = new Command("list", "List the latest deployments") { limit };
list.SetAction((result, token) => Run(result, async client =>
{
    var (views, raw) = await client.ListAsync(result.GetValue(limit), token);
    if (Mode(result) == OutputMode.Json)
        Console.Out.WriteLine(raw);
    else
        Render.List(views);
    return ExitCodes.Succeeded;
}, token));

var target = new Option<string>("--target") { Description = "what to render for: kubernetes", Required = true };
target.AcceptOnlyFromAmong("kubernetes");
var directory = new Argument<string>("dir") { Description = "a git checkout holding rad.json (its HEAD commit is used)" };
var renderNamespace = new Option<string>("--namespace", "-n") { Description = "namespace of the objects (default: default)", DefaultValueFactory = _ => "default" };
var render = new Command("render", "Print the manifests RAD would apply for a checkout, as YAML, without any cluster") { target, directory, config, renderNamespace };
render.SetAction(async (result, token) =>
{
    try
    {
        Console.Out.Write(await KubernetesRender.RenderAsync(result.GetValue(directory)!, result.GetValue(config) ?? DeploymentDefaults.ConfigPath, result.GetValue(renderNamespace)!, token));
        return ExitCodes.Succeeded;
    }
    catch (CliException e)
    {
        Console.Error.WriteLine($"rad: {e.Message}");
        return ExitCodes.UsageOrConnection;
    }
});

var clusterName = new Argument<string>("name") { Description = "the cluster's name in RAD (lowercase letters, digits, '-')" };
var kubeconfigFile = new Option<string>("--kubeconfig") { Description = "kubeconfig file ('-' reads standard input; default: $KUBECONFIG or ~/.kube/config)" };
var kubeContext = new Option<string?>("--context") { Description = "context of the kubeconfig (default: its current-context)" };
var clustersAdd = new Command("add", "Register a Kubernetes cluster by kubeconfig; files it names are read here and sent inline, credentials are never printed")
    { clusterName, kubeconfigFile, kubeContext };
clustersAdd.SetAction((result, token) => Run(result, async client =>
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
    Rad.Kubernetes.KubeContext context;
    try
    {
        context = Rad.Kubernetes.Kubeconfig.Load(text, result.GetValue(kubeContext), file == "-" ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(file)));
    }
    catch (Rad.Kubernetes.KubeconfigException e)
    {
        throw new CliException($"{file}: {e.Message}");
    }
    var answer = await client.AddClusterAsync(new { name = result.GetValue(clusterName), kubeconfig = Rad.Kubernetes.Kubeconfig.Flatten(context), context = context.Name }, token);
    var cluster = System.Text.Json.JsonDocument.Parse(answer).RootElement;
    var check = cluster.GetProperty("check");
    Print(result, answer, $"registered cluster {result.GetValue(clusterName)}: {context}: " +
        (check.GetProperty("reachable").GetBoolean() ? $"reachable, Kubernetes {check.GetProperty("version").GetString()}" : $"NOT reachable now: {check.GetProperty("problem").GetString()}"));
    return ExitCodes.Succeeded;
}, token));
var clustersList = new Command("list", "List the clusters RAD can deploy to");
clustersList.SetAction((result, token) => Run(result, async client =>
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
var clustersRemove = new Command("remove", "Forget a registered cluster (what runs on it keeps running)") { clusterName };
clustersRemove.SetAction((result, token) => Run(result, async client =>
{
    await client.RemoveClusterAsync(result.GetValue(clusterName)!, token);
    Print(result, $"{{\"removed\":\"{result.GetValue(clusterName)}\"}}", $"removed cluster {result.GetValue(clusterName)}");
    return ExitCodes.Succeeded;
}, token));
var management = new Option<string>("--management") { Description = "the registered Kubernetes cluster that runs Cluster API", Required = true };
var templateFile = new Option<string>("--template") { Description = "YAML file: a Cluster named ${CLUSTER_NAME} with its control plane and machines (or a ClusterClass topology)", Required = true };
var variable = new Option<string[]>("--var") { Description = "NAME=VALUE for a ${NAME} of the template (repeatable)", AllowMultipleArgumentsPerToken = false };
var workloadNamespace = new Option<string>("--namespace") { Description = "namespace of the applications in the new cluster", DefaultValueFactory = _ => "default" };
var provider = new Option<string>("--provider") { Description = "cluster-api", DefaultValueFactory = _ => "cluster-api" };
provider.AcceptOnlyFromAmong("cluster-api");
var clustersCreate = new Command("create", "Define a cluster that RAD creates through Cluster API at the first deployment to it")
    { clusterName, provider, management, templateFile, variable, workloadNamespace };
clustersCreate.SetAction((result, token) => Run(result, async client =>
{
    var template = await File.ReadAllTextAsync(result.GetValue(templateFile)!, token);
    var pairs = (result.GetValue(variable) ?? []).Select(v => v.Split('=', 2)).ToList();
    if (pairs.FirstOrDefault(p => p.Length != 2 || p[0].Length == 0) is { } bad)
        throw new CliException($"--var {string.Join('=', bad)} is not NAME=VALUE");
    var answer = await client.AddClusterAsync(new
    {
        name = result.GetValue(clusterName), provider = "cluster-api", management = result.GetValue(management), template,
        variables = pairs.ToDictionary(p => p[0], p => p[1]), @namespace = result.GetValue(workloadNamespace),
    }, token);
    Print(result, answer, $"defined cluster {result.GetValue(clusterName)}: Cluster API in {result.GetValue(management)} creates it at the first deployment to it");
    return ExitCodes.Succeeded;
}, token));
var clusters = new Command("clusters", "Register, create, list and remove the Kubernetes clusters RAD deploys to") { clustersAdd, clustersCreate, clustersList, clustersRemove };

var root = new RootCommand("rad: deploy the applications of a git repository and follow every stage") { deploy, status, log, list, render, clusters };
root.Options.Add(api);
root.Options.Add(output);

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

async Task<int> Run(ParseResult result, Func<RadClient, Task<int>> action, CancellationToken token)
{
    var address = result.GetValue(api) ?? Environment.GetEnvironmentVariable("RAD_API") ?? "http://127.0.0.1:7080";
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

OutputMode Mode(ParseResult result) =>
    result.GetValue(output) == "json" ? OutputMode.Json : Console.IsOutputRedirected ? OutputMode.Plain : OutputMode.Terminal;

void Print(ParseResult result, string json, string text) => Console.Out.WriteLine(Mode(result) == OutputMode.Json ? json : text);

// A directory given by a relative path is sent as an absolute one: RAD's cloner does not run in this directory.
static string LocalPathOrUrl(string repository) =>
    !repository.Contains("://") && !repository.Contains('@') && Directory.Exists(repository) ? Path.GetFullPath(repository) : repository;
