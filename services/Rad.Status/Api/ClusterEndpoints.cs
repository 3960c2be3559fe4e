using System.Text.Json;
using MassTransit;
using Rad.Clusters;
using Rad.Contracts;
using Rad.Kubernetes;

namespace Rad.Status.Api;

/// <summary>
/// /api/clusters: register a Kubernetes cluster by kubeconfig (inline YAML and a context), list, remove. Answers
/// describe a cluster (server, context, namespace, kind of authentication) and never contain its credentials.
/// </summary>
public static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/clusters");

        api.MapPost("", async (HttpRequest request, ClusterRegistry registry, IKubernetesClientFactory clients, ExecPluginPolicy plugins, TimeProvider clock, CancellationToken token) =>
        {
            var (root, notJson) = await RequestJson.ReadAsync(request, """{"name": "prod", "kubeconfig": "<YAML>", "context": "optional"}""", token);
            if (notJson is not null)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [notJson] }, title: "The cluster registration is not valid.");
            if (Text(root, "provider") == RegisteredCluster.ClusterApiKind)
                return await RegisterClusterApiAsync(root, registry, clock, token);
            var (name, kubeconfig, contextName, error) = ReadKubeconfigRegistration(root);
            if (error is not null)
                return Results.ValidationProblem(error, title: "The cluster registration is not valid.");
            KubeContext context;
            try
            {
                context = Kubeconfig.Load(kubeconfig!, contextName);
            }
            catch (KubeconfigException e)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["kubeconfig"] = [e.Message] }, title: "The kubeconfig cannot be used.");
            }
            if (plugins.Refusal(context) is { } refusal)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["kubeconfig"] = [refusal] }, title: "The kubeconfig cannot be used.");
            var cluster = new RegisteredCluster(name!, "kubernetes", context.Server.ToString(), context.Name, context.Namespace, context.AuthKind,
                Kubeconfig.Flatten(context), clock.GetUtcNow());
            if (!await registry.AddAsync(cluster, token))
                return Results.Problem(statusCode: 409, title: "Cluster exists",
                    detail: $"A cluster named '{name}' is registered already; remove it first (DELETE /api/clusters/{name}, or rad clusters remove {name}).");
            // A plugin, even an allowed one, runs when a deployment needs it, never because a request came in.
            var check = context.User.ExternalExecution is null ? await CheckAsync(clients, cluster, token)
                : new { reachable = (bool?)null, problem = "not checked: RAD does not run credential plugins at registration; the first deployment to it checks" };
            return Results.Created($"/api/clusters/{name}", View(cluster, check));
        });

        // ?check=true asks each cluster, through the deployer, what runs on it: whether it answers, for the dashboard.
        api.MapGet("", async (bool? check, ClusterRegistry registry, IRequestClient<DescribeApplications> describe, CancellationToken token) =>
        {
            var registered = await registry.ListAsync(token);
            if (check != true)
                return Results.Ok(new object[] { LocalView(null) }.Concat(registered.Select(c => View(c, null))));
            var answers = await Task.WhenAll(registered.Select(c => AnswersAsync(describe, c, token)).Prepend(AnswersAsync(describe, null, token)));
            return Results.Ok(new object[] { LocalView(answers[0]) }.Concat(registered.Select((c, i) => View(c, answers[i + 1]))));
        });

        api.MapGet("/{name}", async (string name, ClusterRegistry registry, CancellationToken token) =>
            await registry.FindAsync(name, token) is { } cluster ? Results.Ok(View(cluster, null)) : NotFound(name));

        api.MapDelete("/{name}", async (string name, ClusterRegistry registry, IRequestClient<DeleteCluster> provisioner, CancellationToken token) =>
        {
            if (await registry.FindAsync(name, token) is not { } cluster)
                return NotFound(name);
            if (cluster.ClusterApi is null)
            {
                // Registered by kubeconfig: RAD only forgets it, nothing in the cluster changes.
                await registry.RemoveAsync(name, token);
                return Results.NoContent();
            }
            // A cluster RAD created is deleted too: the cluster provisioner removes its Cluster API objects from the management cluster, then the registration.
            try
            {
                var answer = await provisioner.GetResponse<ClusterDeleted, ClusterDeletionFailed>(new DeleteCluster(name), token, RequestTimeout.After(s: 60));
                return answer.Is(out Response<ClusterDeletionFailed>? failed)
                    ? Results.Problem(statusCode: 502, title: "Cluster API objects not deleted", detail: failed.Message.Reason)
                    : Results.NoContent();
            }
            catch (RequestTimeoutException)
            {
                return Results.Problem(statusCode: 504, title: "Cluster provisioner did not answer",
                    detail: $"{cluster} is still registered: the cluster provisioner did not answer within 60 s (is Rad.ClusterProvisioner running?); try again.");
            }
        });
    }

    /// <summary>{"name", "provider": "cluster-api", "management", "template", "variables", "namespace"}: a cluster RAD creates at its first deployment.</summary>
    static async Task<IResult> RegisterClusterApiAsync(JsonElement root, ClusterRegistry registry, TimeProvider clock, CancellationToken token)
    {
        var errors = new Dictionary<string, string[]>();
        var name = Text(root, "name");
        var managementName = Text(root, "management");
        var template = Text(root, "template");
        var ns = Text(root, "namespace") ?? "default";
        var variables = root.TryGetProperty("variables", out var vars) && vars.ValueKind == JsonValueKind.Object
            ? vars.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString())
            : [];
        if (!DnsLabel.IsValid(name) || name == LocalCluster.Name)
            errors["name"] = ["name is required: lowercase letters, digits and '-', not 'local'."];
        var management = managementName is null ? null : await registry.FindAsync(managementName, token);
        if (management is not { Kind: RegisteredCluster.KubernetesKind })
            errors["management"] = [$"management must name a registered Kubernetes cluster (rad clusters add), not \"{managementName}\"."];
        if (string.IsNullOrWhiteSpace(template))
            errors["template"] = ["template is required: YAML documents with a Cluster named ${CLUSTER_NAME}."];
        else if (name is not null && management is not null)
        {
            try
            {
                ClusterTemplate.Render(template, name, management.Namespace, variables);
            }
            catch (ClusterTemplate.TemplateException e)
            {
                errors["template"] = [e.Message];
            }
        }
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "The Cluster API cluster is not valid.");
        var cluster = new RegisteredCluster(name!, RegisteredCluster.ClusterApiKind, $"(created by Cluster API in {managementName})", "", ns, "", "",
            clock.GetUtcNow(), new ClusterApiDefinition(managementName!, template!, variables));
        if (!await registry.AddAsync(cluster, token))
            return Results.Problem(statusCode: 409, title: "Cluster exists", detail: $"A cluster named '{name}' is registered already.");
        return Results.Created($"/api/clusters/{name}", View(cluster, new { reachable = false, problem = "created by Cluster API at the first deployment to it" }));
    }

    /// <summary>Whether the server answers with these credentials now; informative only (the deployment checks again).</summary>
    static async Task<object> CheckAsync(IKubernetesClientFactory clients, RegisteredCluster cluster, CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var client = clients.Connect(cluster);
            return new { reachable = true, version = await client.VersionAsync(limit.Token) };
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException or OperationCanceledException)
        {
            return new { reachable = false, problem = e.Message };
        }
    }

    static object LocalView(object? check) =>
        new { name = LocalCluster.Name, kind = "swarm", server = "local Docker engine", context = (string?)null, @namespace = (string?)null, auth = (string?)null, check };

    static async Task<object> AnswersAsync(IRequestClient<DescribeApplications> describe, RegisteredCluster? cluster, CancellationToken token)
    {
        if (cluster is { ClusterApi: not null, Provisioned: false })
            return new { reachable = false, problem = "not created yet: Cluster API creates it at the first deployment to it" };
        var described = await ApplicationEndpoints.DescribeAsync(describe, cluster?.Name ?? LocalCluster.Name, token);
        return described.Problem is null
            ? new { reachable = true, applications = described.Applications.Count }
            : new { reachable = false, problem = described.Problem };
    }

    static object View(RegisteredCluster cluster, object? check) => new
    {
        name = cluster.Name,
        kind = cluster.Kind,
        provisioned = cluster.Provisioned,
        management = cluster.ClusterApi?.Management,
        server = cluster.Server,
        context = cluster.Context,
        @namespace = cluster.Namespace,
        auth = cluster.Auth,
        createdAt = cluster.CreatedAt,
        check,
    };

    static (string? Name, string? Kubeconfig, string? Context, Dictionary<string, string[]>? Errors) ReadKubeconfigRegistration(JsonElement root)
    {
        var errors = new Dictionary<string, string[]>();
        var name = Text(root, "name");
        var kubeconfig = Text(root, "kubeconfig");
        if (!DnsLabel.IsValid(name))
            errors["name"] = ["name is required: lowercase letters, digits and '-', e.g. \"prod\"."];
        else if (name == LocalCluster.Name)
            errors["name"] = ["'local' is the built-in local Swarm; choose another name."];
        if (string.IsNullOrWhiteSpace(kubeconfig))
            errors["kubeconfig"] = ["kubeconfig is required: the kubeconfig's YAML text (rad clusters add reads and flattens the file for you)."];
        return errors.Count == 0 ? (name, kubeconfig, Text(root, "context"), null) : (null, null, null, errors);
    }

    static string? Text(JsonElement root, string field) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static IResult NotFound(string name) =>
        Results.Problem(statusCode: 404, title: "Cluster not found", detail: $"No cluster named '{name}' is registered (GET /api/clusters lists them).");
}
