using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rad.Kubernetes;

namespace Rad.Clusters;

/// <summary>
/// A Cluster API template: YAML documents (a Cluster with its control plane and machines, or a Cluster with a
/// ClusterClass topology) with ${VARIABLE} placeholders, as clusterctl generate uses them. CLUSTER_NAME and NAMESPACE
/// are always given.
/// </summary>
public static partial class ClusterTemplate
{
    public sealed class TemplateException(string message) : Exception(message);

    public static IReadOnlyList<JsonObject> Render(string template, string clusterName, string ns, IReadOnlyDictionary<string, string> variables)
    {
        var values = new Dictionary<string, string>(variables) { ["CLUSTER_NAME"] = clusterName, ["NAMESPACE"] = ns };
        var missing = Placeholder().Matches(template).Select(m => m.Groups[1].Value).Where(v => !values.ContainsKey(v)).Distinct().ToList();
        if (missing.Count > 0)
            throw new TemplateException($"the template uses {string.Join(", ", missing.Select(m => "${" + m + "}"))} without a value; give each with --var NAME=VALUE");
        var text = Placeholder().Replace(template, m => values[m.Groups[1].Value]);
        IReadOnlyList<JsonObject> objects;
        try
        {
            objects = ManifestYaml.ReadAll(text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new TemplateException($"the template is not valid YAML: {e.Message}");
        }
        foreach (var (obj, index) in objects.Select((o, i) => (o, i)))
            if (obj["apiVersion"] is null || obj["kind"] is null || obj["metadata"]?["name"] is null)
                throw new TemplateException($"document {index + 1} of the template lacks apiVersion, kind or metadata.name");
        if (!objects.Any(o => IsCluster(o) && o["metadata"]!["name"]!.GetValue<string>() == clusterName))
            throw new TemplateException($"the template has no Cluster (cluster.x-k8s.io) named {clusterName}; name it ${{CLUSTER_NAME}}");
        foreach (var obj in objects)
            if (obj["metadata"]!["namespace"] is null && obj["kind"]!.GetValue<string>() != "Namespace")
                obj["metadata"]!["namespace"] = ns;
        return objects;
    }

    /// <summary>Deletes what the template created in the management cluster, the Cluster first (Cluster API tears down the machines it owns).</summary>
    public static async Task DeleteAsync(IKubernetesApi api, RegisteredCluster cluster, RegisteredCluster management, CancellationToken token)
    {
        var objects = Render(cluster.ClusterApi!.Template, cluster.Name, management.Namespace, cluster.ClusterApi.Variables);
        foreach (var obj in objects.OrderByDescending(IsCluster))
            await api.DeleteAsync(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>(), obj["metadata"]?["namespace"]?.GetValue<string>(),
                obj["metadata"]!["name"]!.GetValue<string>(), token);
    }

    public static bool IsCluster(JsonObject obj) =>
        obj["kind"]?.GetValue<string>() == "Cluster" && obj["apiVersion"]?.GetValue<string>()?.StartsWith("cluster.x-k8s.io/", StringComparison.Ordinal) == true;

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex Placeholder();
}
