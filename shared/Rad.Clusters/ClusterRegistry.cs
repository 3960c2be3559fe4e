using Dapper;
using Npgsql;
using Rad.Kubernetes;

namespace Rad.Clusters;

/// <summary>A registered Kubernetes cluster. <see cref="Kubeconfig"/> holds its credentials: never log or show it.</summary>
public sealed record RegisteredCluster(string Name, string Kind, string Server, string Context, string Namespace, string Auth, string Kubeconfig,
    DateTimeOffset CreatedAt, ClusterApiDefinition? ClusterApi = null)
{
    public const string KubernetesKind = "kubernetes";
    public const string ClusterApiKind = "cluster-api";

    /// <summary>A Cluster API cluster is usable once provisioned (its kubeconfig is known).</summary>
    public bool Provisioned => Kubeconfig.Length > 0;

    /// <summary>Its stored kubeconfig, resolved (credentials included).</summary>
    public KubeContext LoadKubeContext() => Rad.Kubernetes.Kubeconfig.Load(Kubeconfig);

    public override string ToString() => $"cluster {Name} ({Kind} at {Server}, context {Context}, namespace {Namespace})";
}

/// <summary>How RAD creates a cluster through Cluster API: in which management cluster, from which template, with which variables.</summary>
public sealed record ClusterApiDefinition(string Management, string Template, IReadOnlyDictionary<string, string> Variables);

/// <summary>
/// The clusters RAD can deploy to besides the built-in local Swarm, in RAD's database (table clusters, created by the
/// status service's migrations). The status service writes it; the cluster provisioner and the deployer read it.
/// </summary>
public sealed class ClusterRegistry(NpgsqlDataSource dataSource)
{
    public async Task<RegisteredCluster?> FindAsync(string name, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE name = @name", new { name }, cancellationToken: token));
        return row?.ToCluster();
    }

    public async Task<IReadOnlyList<RegisteredCluster>> ListAsync(CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        return (await connection.QueryAsync<Row>(new CommandDefinition($"{Select} ORDER BY name", cancellationToken: token))).Select(r => r.ToCluster()).ToList();
    }

    /// <summary>False when a cluster of that name is registered already.</summary>
    public async Task<bool> AddAsync(RegisteredCluster cluster, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        return await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO clusters (name, kind, server, context, namespace, auth, kubeconfig, created_at, management, template, variables)
            VALUES (@Name, @Kind, @Server, @Context, @Namespace, @Auth, @Kubeconfig, @CreatedAt, @Management, @Template, @Variables::jsonb)
            ON CONFLICT (name) DO NOTHING
            """, new
            {
                cluster.Name, cluster.Kind, cluster.Server, cluster.Context, cluster.Namespace, cluster.Auth, cluster.Kubeconfig, cluster.CreatedAt,
                cluster.ClusterApi?.Management, cluster.ClusterApi?.Template,
                Variables = cluster.ClusterApi is null ? null : System.Text.Json.JsonSerializer.Serialize(cluster.ClusterApi.Variables),
            }, cancellationToken: token)) == 1;
    }

    /// <summary>Records the workload cluster's connection once Cluster API has provisioned it.</summary>
    public async Task MarkProvisionedAsync(string name, KubeContext context, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE clusters SET server = @Server, context = @Context, auth = @Auth, kubeconfig = @Kubeconfig WHERE name = @name
            """, new { name, Server = context.Server.ToString(), Context = context.Name, Auth = context.AuthKind, Kubeconfig = Rad.Kubernetes.Kubeconfig.Flatten(context) },
            cancellationToken: token));
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM clusters WHERE name = @name", new { name }, cancellationToken: token)) == 1;
    }

    const string Select = "SELECT name, kind, server, context, namespace, auth, kubeconfig, created_at AS CreatedAt, management, template, variables::text AS Variables FROM clusters";

    sealed class Row
    {
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Server { get; init; } = "";
        public string Context { get; init; } = "";
        public string Namespace { get; init; } = "";
        public string Auth { get; init; } = "";
        public string Kubeconfig { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public string? Management { get; init; }
        public string? Template { get; init; }
        public string? Variables { get; init; }

        public RegisteredCluster ToCluster() => new(Name, Kind, Server, Context, Namespace, Auth, Kubeconfig,
            new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
            Management is null ? null : new ClusterApiDefinition(Management, Template ?? "",
                System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(Variables ?? "{}") ?? []));
    }
}
