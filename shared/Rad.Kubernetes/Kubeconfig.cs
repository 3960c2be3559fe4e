using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace Rad.Kubernetes;

public sealed class KubeconfigException(string message) : Exception(message);

/// <summary>An exec credential plugin (client.authentication.k8s.io), as gcloud, aws and az install them.</summary>
public sealed record ExecPlugin(string ApiVersion, string Command, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Env,
    string? InstallHint, bool ProvideClusterInfo);

/// <summary>
/// One context of a kubeconfig, resolved: where the API server is, how to trust it and how to authenticate. Files named
/// by the kubeconfig are read when it is parsed, so a resolved context carries everything and can be stored and used
/// elsewhere (see <see cref="Kubeconfig.Flatten"/>).
/// </summary>
public sealed record KubeContext(
    string Name,
    string ClusterName,
    Uri Server,
    string Namespace,
    byte[]? CertificateAuthority,
    bool InsecureSkipTlsVerify,
    string? TlsServerName,
    byte[]? ClientCertificate,
    byte[]? ClientKey,
    string? Token,
    string? Username,
    string? Password,
    ExecPlugin? Exec)
{
    /// <summary>Never the secrets themselves: for logs and status.</summary>
    public override string ToString() => $"context {Name} (cluster {ClusterName} at {Server}, namespace {Namespace}, auth {AuthKind})";

    public string AuthKind => Exec is not null ? $"exec:{Path.GetFileName(Exec.Command)}" : ClientCertificate is not null ? "client certificate"
        : Token is not null ? "bearer token" : Username is not null ? "basic" : "none";
}

/// <summary>Reads kubeconfig files (clusters, users, contexts, current-context) the way kubectl does.</summary>
public static class Kubeconfig
{
    /// <summary>Resolves <paramref name="context"/> (or current-context) of a kubeconfig; relative file paths are read from <paramref name="directory"/>.</summary>
    public static KubeContext Load(string yaml, string? context = null, string? directory = null)
    {
        JsonObject root;
        try
        {
            root = Yaml.ParseAll(yaml).FirstOrDefault() as JsonObject
                   ?? throw new KubeconfigException("the kubeconfig is empty or not a YAML mapping");
        }
        catch (YamlException e)
        {
            throw new KubeconfigException($"the kubeconfig is not valid YAML: {e.Message} (line {e.Start.Line}, column {e.Start.Column})");
        }

        var contexts = Named(root, "contexts", "context");
        var name = context ?? Text(root["current-context"]);
        if (string.IsNullOrEmpty(name))
            throw new KubeconfigException($"the kubeconfig has no current-context; choose one of: {Names(contexts)}");
        if (!contexts.TryGetValue(name, out var ctx))
            throw new KubeconfigException($"context '{name}' is not in the kubeconfig; it has: {Names(contexts)}");

        var clusterName = Text(ctx["cluster"]) ?? throw new KubeconfigException($"contexts[{name}].context.cluster is missing");
        var userName = Text(ctx["user"]);
        var clusters = Named(root, "clusters", "cluster");
        if (!clusters.TryGetValue(clusterName, out var cluster))
            throw new KubeconfigException($"context '{name}' names cluster '{clusterName}', which is not in the kubeconfig; it has: {Names(clusters)}");
        var users = Named(root, "users", "user");
        JsonObject user = new();
        if (userName is not null && !users.TryGetValue(userName, out user!))
            throw new KubeconfigException($"context '{name}' names user '{userName}', which is not in the kubeconfig; it has: {Names(users)}");

        var serverText = Text(cluster["server"]) ?? throw new KubeconfigException($"clusters[{clusterName}].cluster.server is missing");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            throw new KubeconfigException($"clusters[{clusterName}].cluster.server \"{serverText}\" is not an https:// URL");

        var at = $"users[{userName}].user";
        var exec = user["exec"] is JsonObject execNode ? ReadExec(execNode, at) : null;
        var token = Text(user["token"]) ?? (Text(user["tokenFile"]) is { } tokenFile ? Encoding.UTF8.GetString(ReadFile(tokenFile, directory, $"{at}.tokenFile")).Trim() : null);
        var certificate = Data(user, "client-certificate", directory, at);
        var key = Data(user, "client-key", directory, at);
        if ((certificate is null) != (key is null))
            throw new KubeconfigException($"{at} has a client certificate without its key (or a key without its certificate): give both");

        return new KubeContext(
            name,
            clusterName,
            server,
            Text(ctx["namespace"]) ?? "default",
            Data(cluster, "certificate-authority", directory, $"clusters[{clusterName}].cluster"),
            cluster["insecure-skip-tls-verify"] is JsonValue insecure && insecure.TryGetValue<bool>(out var skip) && skip,
            Text(cluster["tls-server-name"]),
            certificate,
            key,
            token,
            Text(user["username"]),
            Text(user["password"]),
            exec);
    }

    /// <summary>
    /// The context as a self-contained kubeconfig (like `kubectl config view --minify --flatten`): one cluster, user and
    /// context, files inlined as *-data, so it can be sent to RAD and used on another machine.
    /// </summary>
    public static string Flatten(KubeContext context)
    {
        var cluster = new JsonObject { ["server"] = context.Server.ToString().TrimEnd('/') };
        if (context.CertificateAuthority is not null)
            cluster["certificate-authority-data"] = Convert.ToBase64String(context.CertificateAuthority);
        if (context.InsecureSkipTlsVerify)
            cluster["insecure-skip-tls-verify"] = true;
        if (context.TlsServerName is not null)
            cluster["tls-server-name"] = context.TlsServerName;
        var user = new JsonObject();
        if (context.ClientCertificate is not null)
            user["client-certificate-data"] = Convert.ToBase64String(context.ClientCertificate);
        if (context.ClientKey is not null)
            user["client-key-data"] = Convert.ToBase64String(context.ClientKey);
        if (context.Token is not null)
            user["token"] = context.Token;
        if (context.Username is not null)
            user["username"] = context.Username;
        if (context.Password is not null)
            user["password"] = context.Password;
        if (context.Exec is { } exec)
            user["exec"] = new JsonObject
            {
                ["apiVersion"] = exec.ApiVersion,
                ["command"] = exec.Command,
                ["args"] = new JsonArray(exec.Args.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
                ["env"] = new JsonArray(exec.Env.Select(e => (JsonNode)new JsonObject { ["name"] = e.Key, ["value"] = e.Value }).ToArray()),
                ["provideClusterInfo"] = exec.ProvideClusterInfo,
            };
        var config = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject { ["name"] = context.ClusterName, ["cluster"] = cluster }),
            ["users"] = new JsonArray(new JsonObject { ["name"] = "rad", ["user"] = user }),
            ["contexts"] = new JsonArray(new JsonObject
            {
                ["name"] = context.Name,
                ["context"] = new JsonObject { ["cluster"] = context.ClusterName, ["user"] = "rad", ["namespace"] = context.Namespace },
            }),
            ["current-context"] = context.Name,
        };
        return Yaml.WriteAll([config]);
    }

    static ExecPlugin ReadExec(JsonObject exec, string at)
    {
        var command = Text(exec["command"]) ?? throw new KubeconfigException($"{at}.exec.command is missing");
        var apiVersion = Text(exec["apiVersion"]) ?? throw new KubeconfigException($"{at}.exec.apiVersion is missing (e.g. client.authentication.k8s.io/v1)");
        if (!apiVersion.StartsWith("client.authentication.k8s.io/", StringComparison.Ordinal))
            throw new KubeconfigException($"{at}.exec.apiVersion \"{apiVersion}\" is not a client.authentication.k8s.io version");
        var args = exec["args"] is JsonArray list ? list.Select(a => Text(a) ?? "").ToList() : [];
        var env = exec["env"] is JsonArray vars
            ? vars.OfType<JsonObject>().ToDictionary(v => Text(v["name"]) ?? "", v => Text(v["value"]) ?? "")
            : new Dictionary<string, string>();
        return new ExecPlugin(apiVersion, command, args, env, Text(exec["installHint"]),
            exec["provideClusterInfo"] is JsonValue info && info.TryGetValue<bool>(out var provide) && provide);
    }

    /// <summary>FIELD-data (base64) or FIELD (a file path), as kubeconfig allows for certificates and keys.</summary>
    static byte[]? Data(JsonObject owner, string field, string? directory, string at)
    {
        if (Text(owner[$"{field}-data"]) is { } data)
        {
            try
            {
                return Convert.FromBase64String(data);
            }
            catch (FormatException)
            {
                throw new KubeconfigException($"{at}.{field}-data is not valid base64");
            }
        }
        return Text(owner[field]) is { } file ? ReadFile(file, directory, $"{at}.{field}") : null;
    }

    static byte[] ReadFile(string file, string? directory, string at)
    {
        var path = Path.IsPathRooted(file) || directory is null ? file : Path.Combine(directory, file);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException($"{at} names {path}, which cannot be read ({e.Message}); `rad clusters add` inlines such files for you");
        }
    }

    static Dictionary<string, JsonObject> Named(JsonObject root, string list, string item) =>
        (root[list] as JsonArray ?? []).OfType<JsonObject>()
            .Where(e => Text(e["name"]) is not null)
            .GroupBy(e => Text(e["name"])!)
            .ToDictionary(g => g.Key, g => g.First()[item] as JsonObject ?? new JsonObject());

    static string Names<T>(Dictionary<string, T> named) => named.Count == 0 ? "none" : string.Join(", ", named.Keys);

    static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToString();
}
