using System.Text;
using k8s;
using k8s.KubeConfigModels;
using Rad.Contracts;
using YamlDotNet.Core;

namespace Rad.Kubernetes;

public sealed class KubeconfigException(string message) : Exception(message);

/// <summary>
/// One context of a kubeconfig, resolved and self-contained: the files it named (where reading them was allowed) are read
/// into its *-data fields (and a tokenFile into its token), so it can be stored and used elsewhere. <see cref="Cluster"/> and <see cref="User"/> are
/// KubernetesClient's kubeconfig model; <see cref="User"/> holds secrets.
/// </summary>
public sealed record KubeContext(string Name, string ClusterName, Uri Server, string Namespace, ClusterEndpoint Cluster, UserCredentials User)
{
    /// <summary>Never the secrets themselves: for logs and status.</summary>
    public override string ToString() => $"context {Name} (cluster {ClusterName} at {Server}, namespace {Namespace}, auth {AuthKind})";

    public string AuthKind => User.ExternalExecution is { } exec ? $"exec:{Path.GetFileName(exec.Command)}" : User.ClientCertificateData is not null ? "client certificate"
        : User.Token is not null ? "bearer token" : User.UserName is not null ? "basic" : "none";
}

/// <summary>
/// Reads kubeconfig files with KubernetesClient's model, checking them the way kubectl does but saying exactly what is
/// wrong and where (clusters[NAME].cluster.server, ...), which the library's own loader does not.
/// </summary>
public static class Kubeconfig
{
    /// <summary>
    /// Resolves <paramref name="context"/> (or current-context) of a kubeconfig. With a <paramref name="directory"/> (the
    /// operator's own kubeconfig file, read where it lies: the CLI) the files it names are read, relative ones from there;
    /// without one (a kubeconfig that came over the network or from RAD's database) a file is refused, naming the field:
    /// a server must never read its own host's files because a request named them.
    /// </summary>
    public static KubeContext Load(string yaml, string? context = null, string? directory = null)
    {
        K8SConfiguration config;
        try
        {
            YamlAliases.Refuse(yaml);
            config = KubernetesYaml.Deserialize<K8SConfiguration>(yaml) ?? throw new KubeconfigException("the kubeconfig is empty");
        }
        catch (YamlException e)
        {
            throw new KubeconfigException(e is SyntaxErrorException or SemanticErrorException
                ? $"the kubeconfig is not valid YAML: {e.Message} (line {e.Start.Line}, column {e.Start.Column})"
                : $"the kubeconfig is not a kubeconfig (a mapping of clusters, users and contexts): {e.InnerException?.Message ?? e.Message} (line {e.Start.Line}, column {e.Start.Column})");
        }

        var contexts = Named(config.Contexts, c => c.Name);
        var name = context ?? config.CurrentContext;
        if (string.IsNullOrEmpty(name))
            throw new KubeconfigException($"the kubeconfig has no current-context; choose one of: {Names(contexts)}");
        if (!contexts.TryGetValue(name, out var ctx))
            throw new KubeconfigException($"context '{name}' is not in the kubeconfig; it has: {Names(contexts)}");
        var clusterName = ctx.ContextDetails?.Cluster ?? throw new KubeconfigException($"contexts[{name}].context.cluster is missing");
        var userName = ctx.ContextDetails.User;
        var clusters = Named(config.Clusters, c => c.Name);
        if (!clusters.TryGetValue(clusterName, out var namedCluster))
            throw new KubeconfigException($"context '{name}' names cluster '{clusterName}', which is not in the kubeconfig; it has: {Names(clusters)}");
        var users = Named(config.Users, u => u.Name);
        User? namedUser = null;
        if (userName is not null && !users.TryGetValue(userName, out namedUser))
            throw new KubeconfigException($"context '{name}' names user '{userName}', which is not in the kubeconfig; it has: {Names(users)}");

        // The model was made for this call: resolve it in place, files read into *-data.
        var at = $"clusters[{clusterName}].cluster";
        var cluster = namedCluster.ClusterEndpoint ?? new ClusterEndpoint();
        var serverText = cluster.Server ?? throw new KubeconfigException($"{at}.server is missing");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            throw new KubeconfigException($"{at}.server \"{serverText}\" is not an https:// URL");
        cluster.Server = serverText.TrimEnd('/');
        (cluster.CertificateAuthorityData, cluster.CertificateAuthority) = (Data(cluster.CertificateAuthorityData, cluster.CertificateAuthority, directory, $"{at}.certificate-authority"), null);

        at = $"users[{userName}].user";
        var user = namedUser?.UserCredentials ?? new UserCredentials();
        user.Token ??= TokenFile(yaml, userName, directory, $"{at}.tokenFile", $"{at}.token");
        (user.ClientCertificateData, user.ClientCertificate) = (Data(user.ClientCertificateData, user.ClientCertificate, directory, $"{at}.client-certificate"), null);
        (user.ClientKeyData, user.ClientKey) = (Data(user.ClientKeyData, user.ClientKey, directory, $"{at}.client-key"), null);
        if ((user.ClientCertificateData is null) != (user.ClientKeyData is null))
            throw new KubeconfigException($"{at} has a client certificate without its key (or a key without its certificate): give both");
        if (user.ExternalExecution is { } exec)
        {
            if (string.IsNullOrEmpty(exec.Command))
                throw new KubeconfigException($"{at}.exec.command is missing");
            if (exec.ApiVersion?.StartsWith("client.authentication.k8s.io/", StringComparison.Ordinal) != true)
                throw new KubeconfigException($"{at}.exec.apiVersion \"{exec.ApiVersion}\" is not a client.authentication.k8s.io version (e.g. client.authentication.k8s.io/v1)");
        }
        return new KubeContext(name, clusterName, server, ctx.ContextDetails.Namespace ?? "default", cluster, user);
    }

    /// <summary>
    /// The context as a self-contained kubeconfig (like `kubectl config view --minify --flatten`): one cluster, user
    /// ("rad") and context, files inlined, so it can be sent to RAD and used on another machine.
    /// </summary>
    public static string Flatten(KubeContext context) => KubernetesYaml.Serialize(new K8SConfiguration
    {
        ApiVersion = "v1",
        Kind = "Config",
        CurrentContext = context.Name,
        Clusters = [new Cluster { Name = context.ClusterName, ClusterEndpoint = context.Cluster }],
        Users = [new User { Name = "rad", UserCredentials = context.User }],
        Contexts = [new Context { Name = context.Name, ContextDetails = new ContextDetails { Cluster = context.ClusterName, User = "rad", Namespace = context.Namespace } }],
    });

    /// <summary>FIELD-data (base64, checked) or FIELD (a file path, read and encoded), as kubeconfig allows for certificates and keys.</summary>
    static string? Data(string? data, string? file, string? directory, string at)
    {
        if (data is null)
            return file is null ? null : Convert.ToBase64String(ReadFile(file, directory, at, $"{at}-data (the file's bytes in base64)"));
        Span<byte> decoded = new byte[data.Length];
        return Convert.TryFromBase64String(data, decoded, out _) ? data : throw new KubeconfigException($"{at}-data is not valid base64");
    }

    /// <summary>tokenFile, which KubernetesClient's model lacks: read from the kubeconfig itself and inlined as the token.</summary>
    static string? TokenFile(string yaml, string? userName, string? directory, string at, string inline)
    {
        var file = (ManifestYaml.Read(yaml)?["users"] as System.Text.Json.Nodes.JsonArray ?? [])
            .FirstOrDefault(u => u?["name"]?.GetValue<string>() == userName)?["user"]?["tokenFile"]?.GetValue<string>();
        return file is null ? null : Encoding.UTF8.GetString(ReadFile(file, directory, at, $"{inline} (the token itself)")).Trim();
    }

    static byte[] ReadFile(string file, string? directory, string at, string inline)
    {
        if (directory is null)
            throw new KubeconfigException($"{at} names a file ({Excerpt.Of(file, 120)}), and RAD does not read files on the server for a kubeconfig it is sent: " +
                $"inline it as {inline}; `rad clusters add` does so from the file on your machine");
        var path = Path.IsPathRooted(file) ? file : Path.Combine(directory, file);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException($"{at} names {path}, which cannot be read ({e.Message}); `rad clusters add` inlines such files for you");
        }
    }

    static Dictionary<string, T> Named<T>(IEnumerable<T>? items, Func<T, string?> name) =>
        (items ?? []).Where(i => name(i) is not null).GroupBy(i => name(i)!).ToDictionary(g => g.Key, g => g.First());

    static string Names<T>(Dictionary<string, T> named) => named.Count == 0 ? "none" : string.Join(", ", named.Keys);
}
