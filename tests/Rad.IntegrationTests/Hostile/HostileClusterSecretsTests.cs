using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rad.Clusters;
using Rad.FakeKubernetes;
using Rad.Hosting;
using Rad.IntegrationTests.Isolated;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 10: registered clusters' kubeconfig credentials were kept in plaintext in PostgreSQL. Now they are
/// sealed with ASP.NET Core Data Protection, its key ring in a directory outside the database; a dump of the database
/// (pg_dump of the test's own PostgreSQL) holds neither the token nor the client key, and the deployer still reaches the
/// cluster (a fake Kubernetes API server that requires the token).
/// </summary>
public sealed class HostileClusterSecretsTests(HostileClusterSecretsTests.KeyRingRad rad, ITestOutputHelper output)
    : IClassFixture<HostileClusterSecretsTests.KeyRingRad>, IAsyncLifetime
{
    FakeKubernetesServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeKubernetesServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_database_dump_holds_no_token_or_client_key_of_a_registered_cluster_and_the_cluster_still_answers()
    {
        var (certificateData, keyData, keyPem) = ClientCertificate();
        var name = $"sealed-{Guid.NewGuid():N}"[..20];
        var kubeconfig = _server.Kubeconfig("sealed").Replace($"    token: {_server.Token}",
            $"    token: {_server.Token}\n    client-certificate-data: {certificateData}\n    client-key-data: {keyData}");

        using var response = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/clusters"), new { name, kubeconfig });
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"registration: {(int)response.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var dump = await DumpAsync();
        output.WriteLine($"pg_dump: {dump.Length} characters");
        Assert.Contains(name, dump);
        Assert.Contains(SealedSecrets.Prefix, dump);
        Assert.DoesNotContain(_server.Token!, dump);
        Assert.DoesNotContain(keyData, dump);
        // Nor the key as PEM text, nor any 60-character run of its base64 body.
        foreach (var line in keyPem.Split('\n').Where(l => l.Length >= 60))
            Assert.DoesNotContain(line, dump);

        await AssertAnswersAsync(name);
        var keys = rad.KeyDirectory;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        Assert.NotEmpty(Directory.GetFiles(keys, "key-*.xml"));
        Assert.DoesNotContain(_server.Token!, string.Concat(Directory.GetFiles(keys).Select(File.ReadAllText)));
        await rad.Http.DeleteAsync(new Uri(rad.Api, $"/api/clusters/{name}"));
    }

    [Fact]
    public async Task A_kubeconfig_stored_in_plaintext_before_is_refused_until_sealed_then_used()
    {
        var name = $"legacy-{Guid.NewGuid():N}"[..20];
        var context = Rad.Kubernetes.Kubeconfig.Load(_server.Kubeconfig("legacy"));
        await using var database = NpgsqlDataSource.Create(rad.Postgres.ConnectionString);
        await using (var connection = await database.OpenConnectionAsync())
            await connection.ExecuteAsync("""
                INSERT INTO clusters (name, kind, server, context, namespace, auth, kubeconfig, created_at)
                VALUES (@name, 'kubernetes', @server, @context, 'legacy', 'bearer token', @kubeconfig, now())
                """, new { name, server = context.Server.ToString(), context = context.Name, kubeconfig = Rad.Kubernetes.Kubeconfig.Flatten(context) });

        var refused = await CheckAsync(name, c => c.TryGetProperty("problem", out var p) && !p.GetString()!.Contains("did not say within"));
        Assert.Contains("it is stored unencrypted, from before RAD encrypted kubeconfigs", refused.GetProperty("problem").GetString());

        // What the status service does at start-up, with the key ring of this RAD.
        var sealedCount = await new ClusterRegistry(database, rad.Secrets()).SealPlaintextAsync(CancellationToken.None);

        Assert.Equal(1, sealedCount);
        Assert.DoesNotContain(_server.Token!, await DumpAsync());
        await AssertAnswersAsync(name);
        await rad.Http.DeleteAsync(new Uri(rad.Api, $"/api/clusters/{name}"));
    }

    async Task AssertAnswersAsync(string name)
    {
        var check = await CheckAsync(name, c => c.GetProperty("reachable").GetBoolean());
        Assert.True(check.GetProperty("reachable").GetBoolean(), check.ToString());
    }

    /// <summary>GET /api/clusters?check=true until <paramref name="done"/> (bounded): the deployer's first Kubernetes client may take longer than the status service's 3 s.</summary>
    async Task<JsonElement> CheckAsync(string name, Func<JsonElement, bool> done)
    {
        JsonElement check = default;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var clusters = JsonDocument.Parse(await rad.Http.GetStringAsync(new Uri(rad.Api, "/api/clusters?check=true"))).RootElement;
            check = clusters.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("check").Clone();
            output.WriteLine($"check {attempt}: {check}");
            if (done(check))
                break;
        }
        return check;
    }

    async Task<string> DumpAsync()
    {
        var connection = new NpgsqlConnectionStringBuilder(rad.Postgres.ConnectionString);
        var start = new ProcessStartInfo("pg_dump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-h", connection.Host!, "-p", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database!])
            start.ArgumentList.Add(argument);
        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"pg_dump exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    static (string CertificateData, string KeyData, string KeyPem) ClientCertificate()
    {
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=rad-sealed-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        return (Convert.ToBase64String(Encoding.UTF8.GetBytes(certificate.ExportCertificatePem())), Convert.ToBase64String(Encoding.UTF8.GetBytes(keyPem)), keyPem);
    }

    /// <summary>The test's own RAD with its key ring in a folder the test knows, so the test can seal as RAD does.</summary>
    public sealed class KeyRingRad : IsolatedRad, IDisposable
    {
        readonly string _parent = Directory.CreateTempSubdirectory("rad-keyring-").FullName;

        public string KeyDirectory => Path.Combine(_parent, "keys");

        public SealedSecrets Secrets() => new ServiceCollection()
            .AddRadSecrets(new ConfigurationBuilder().AddInMemoryCollection([new(SecretsRegistration.KeyDirectorySetting, KeyDirectory)]).Build())
            .BuildServiceProvider().GetRequiredService<SealedSecrets>();

        protected override void Configure(IDictionary<string, string> environment) =>
            environment["Rad__DataProtection__KeyDirectory"] = KeyDirectory;

        public void Dispose() => Directory.Delete(_parent, recursive: true);
    }
}
