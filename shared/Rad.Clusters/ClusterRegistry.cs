using Dapper;
using Npgsql;
using Rad.Hosting;
using Rad.Kubernetes;

namespace Rad.Clusters;

/// <summary>
/// A registered Kubernetes cluster. <see cref="Kubeconfig"/> holds its credentials (in memory only; the database holds
/// them sealed): never log or show it. <see cref="CredentialsProblem"/> says why a stored kubeconfig could not be unsealed.
/// </summary>
public sealed record RegisteredCluster(string Name, string Kind, string Server, string Context, string Namespace, string Auth, string Kubeconfig,
    DateTimeOffset CreatedAt, ClusterApiDefinition? ClusterApi = null)
{
    public const string KubernetesKind = "kubernetes";
    public const string ClusterApiKind = "cluster-api";

    public string? CredentialsProblem { get; init; }

    /// <summary>A Cluster API cluster is usable once provisioned (its kubeconfig is known).</summary>
    public bool Provisioned => Kubeconfig.Length > 0 || CredentialsProblem is not null;

    /// <summary>Its stored kubeconfig, resolved (credentials included).</summary>
    public KubeContext LoadKubeContext() => CredentialsProblem is { } problem
        ? throw new KubeconfigException($"{this}: its stored credentials cannot be used: {problem}")
        : Rad.Kubernetes.Kubeconfig.Load(Kubeconfig);

    public override string ToString() => $"cluster {Name} ({Kind} at {Server}, context {Context}, namespace {Namespace})";
}

/// <summary>How RAD creates a cluster through Cluster API: in which management cluster, from which template, with which variables.</summary>
public sealed record ClusterApiDefinition(string Management, string Template, IReadOnlyDictionary<string, string> Variables);

/// <summary>
/// The clusters RAD can deploy to besides the built-in local Swarm, in RAD's database (table clusters, created by the
/// status service's migrations). The status service writes it; the cluster provisioner and the deployer read it.
/// </summary>
public sealed class ClusterRegistry(NpgsqlDataSource dataSource, SealedSecrets secrets)
{
    /// <summary>The Data Protection purpose of stored kubeconfigs: a value sealed for another use cannot be read as one.</summary>
    public const string KubeconfigPurpose = "Rad.Clusters.Kubeconfig.v1";

    public async Task<RegisteredCluster?> FindAsync(string name, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE name = @name", new { name }, cancellationToken: token));
        return row?.ToCluster(secrets);
    }

    public async Task<IReadOnlyList<RegisteredCluster>> ListAsync(CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        return (await connection.QueryAsync<Row>(new CommandDefinition($"{Select} ORDER BY name", cancellationToken: token))).Select(r => r.ToCluster(secrets)).ToList();
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
                cluster.Name, cluster.Kind, cluster.Server, cluster.Context, cluster.Namespace, cluster.Auth, Kubeconfig = Seal(cluster.Kubeconfig), cluster.CreatedAt,
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
            """, new { name, Server = context.Server.ToString(), Context = context.Name, Auth = context.AuthKind, Kubeconfig = Seal(Rad.Kubernetes.Kubeconfig.Flatten(context)) },
            cancellationToken: token));
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM clusters WHERE name = @name", new { name }, cancellationToken: token)) == 1;
    }

    /// <summary>
    /// Seals every kubeconfig stored in plaintext (registered before RAD encrypted them); the status service runs it at
    /// start-up. Each row is re-read under a lock, so two instances never seal one twice. Returns how many it sealed.
    /// </summary>
    public async Task<int> SealPlaintextAsync(CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var names = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM clusters WHERE kubeconfig <> '' AND kubeconfig NOT LIKE @sealed", new { @sealed = SealedSecrets.Prefix + "%" },
            cancellationToken: token))).ToList();
        var count = 0;
        foreach (var name in names)
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            var kubeconfig = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT kubeconfig FROM clusters WHERE name = @name FOR UPDATE", new { name }, transaction, cancellationToken: token));
            if (kubeconfig is { Length: > 0 } && !SealedSecrets.IsSealed(kubeconfig))
            {
                await connection.ExecuteAsync(new CommandDefinition("UPDATE clusters SET kubeconfig = @sealed WHERE name = @name",
                    new { name, @sealed = Seal(kubeconfig) }, transaction, cancellationToken: token));
                count++;
            }
            await transaction.CommitAsync(token);
        }
        return count;
    }

    string Seal(string kubeconfig) => kubeconfig.Length == 0 ? "" : secrets.Seal(KubeconfigPurpose, kubeconfig);

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

        public RegisteredCluster ToCluster(SealedSecrets secrets)
        {
            var (kubeconfig, problem) = ("", (string?)null);
            try
            {
                kubeconfig = Kubeconfig.Length == 0 ? "" : secrets.Unseal(KubeconfigPurpose, Kubeconfig);
            }
            catch (SealedSecretException e)
            {
                problem = SealedSecrets.IsSealed(Kubeconfig) ? e.Message
                    : "it is stored unencrypted, from before RAD encrypted kubeconfigs; the status service encrypts such rows when it starts: start it (or restart it) once";
            }
            return new(Name, Kind, Server, Context, Namespace, Auth, kubeconfig,
                new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
                Management is null ? null : new ClusterApiDefinition(Management, Template ?? "",
                    System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(Variables ?? "{}") ?? [])) { CredentialsProblem = problem };
        }
    }
}
