using Microsoft.AspNetCore.Http;
using Rad.Contracts;

namespace Rad.Webhooks;

/// <summary>The cluster and rad.json a push deploys to, as the server binds them, or why the request's query is refused.</summary>
public sealed record WebhookTarget(string Cluster, string ConfigPath)
{
    /// <summary>
    /// The repository's binding (else the server's defaults). A query parameter that names another cluster or rad.json
    /// is refused, naming it, unless Rad:Webhooks:AllowQueryTargets lets the query choose.
    /// </summary>
    public static (WebhookTarget? Target, string? Parameter, string? Problem) Resolve(WebhookOptions options, string repository, IQueryCollection query)
    {
        var binding = options.Repositories.FirstOrDefault(b => b.Repository.Length > 0 && RepositoryIdentity.Same(b.Repository, repository));
        var bound = new WebhookTarget(binding?.Cluster ?? options.Cluster, binding?.ConfigPath ?? options.ConfigPath);
        var source = binding is null
            ? "the server's default (Rad:Webhooks:Cluster and Rad:Webhooks:ConfigPath)"
            : $"bound to {Redaction.Credentials(binding.Repository)} on the server (Rad:Webhooks:Repositories)";
        var cluster = query["cluster"].FirstOrDefault();
        var config = query["config"].FirstOrDefault();
        if (options.AllowQueryTargets)
            return (new WebhookTarget(cluster ?? bound.Cluster, config ?? bound.ConfigPath), null, null);
        if (cluster is not null && cluster != bound.Cluster)
            return (null, "cluster", $"The query parameter cluster=\"{Excerpt.Of(cluster, 63)}\" is refused: this webhook deploys to cluster '{bound.Cluster}', {source}. " +
                                     "The signature does not cover the URL, so the server decides where a push deploys; remove the parameter, or bind the repository in Rad__Webhooks__Repositories__N__Cluster.");
        if (config is not null && config != bound.ConfigPath)
            return (null, "config", $"The query parameter config=\"{Excerpt.Of(config, 100)}\" is refused: this webhook deploys with '{bound.ConfigPath}', {source}. " +
                                    "The signature does not cover the URL, so the server decides which rad.json a push uses; remove the parameter, or bind the repository in Rad__Webhooks__Repositories__N__ConfigPath.");
        return (bound, null, null);
    }
}
