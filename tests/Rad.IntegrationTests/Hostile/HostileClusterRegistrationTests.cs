using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rad.FakeKubernetes;
using Rad.IntegrationTests.Isolated;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 11: POST /api/clusters ran a kubeconfig's exec plugin inside the status service at once (as root, its
/// stderr in the 201 answer) and read the host files that tokenFile, client-key, client-certificate and
/// certificate-authority named. Now a registration never runs a plugin, a plugin runs only when it is on the
/// operator's allowlist (Rad__Kubernetes__ExecAllowlist) and only when a cluster is used, and file references are
/// refused naming the field. On a RAD of the test's own, with a fake Kubernetes API server for the allowed plugin.
/// </summary>
public sealed class HostileClusterRegistrationTests(HostileClusterRegistrationTests.PluginRad rad, ITestOutputHelper output)
    : IClassFixture<HostileClusterRegistrationTests.PluginRad>, IAsyncLifetime
{
    FakeKubernetesServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(rad.Plugins, "token"), _server.Token);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Exec_plugin_outside_the_allowlist_is_refused_at_registration_and_never_runs()
    {
        var marker = Path.Combine(rad.Plugins, $"ran-{Guid.NewGuid():N}");
        var plugin = Path.Combine(rad.Plugins, $"hostile-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(plugin, $"#!/bin/sh\nid > {marker}\necho HOSTILE-STDERR-$(id -u) >&2\nexit 1\n");
        File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var name = $"exec-{Guid.NewGuid():N}"[..20];

        var (status, body, elapsed) = await RegisterAsync(name, ExecKubeconfig(_server.Url, plugin));

        output.WriteLine($"exec plugin outside the allowlist: {(int)status} in {elapsed.TotalMilliseconds:0} ms: {body}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"exec.command '{plugin}'", body);
        Assert.Contains("Rad__Kubernetes__ExecAllowlist", body);
        Assert.DoesNotContain("HOSTILE-STDERR", body);
        Assert.False(File.Exists(marker), "the plugin ran");
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the refusal took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(HttpStatusCode.NotFound, (await rad.Http.GetAsync(new Uri(rad.Api, $"/api/clusters/{name}"))).StatusCode);
    }

    [Fact]
    public async Task Allowed_exec_plugin_runs_when_the_cluster_is_used_and_not_at_registration()
    {
        var name = $"allowed-{Guid.NewGuid():N}"[..20];
        try
        {
            var (status, body, elapsed) = await RegisterAsync(name, ExecKubeconfig(_server.Url, rad.AllowedPlugin));

            output.WriteLine($"allowed exec plugin: {(int)status} in {elapsed.TotalMilliseconds:0} ms: {body}");
            Assert.Equal(HttpStatusCode.Created, status);
            Assert.Contains("not checked: RAD does not run credential plugins at registration", body);
            Assert.False(File.Exists(rad.AllowedPluginRuns), "the allowed plugin ran at registration");

            // Used: the deployer connects to the cluster to say what runs there, and only now asks the plugin for a token.
            // The status service waits 3 s for the deployer, whose first Kubernetes client may take longer to start: ask again, bounded.
            JsonElement check = default;
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var clusters = JsonDocument.Parse(await rad.Http.GetStringAsync(new Uri(rad.Api, "/api/clusters?check=true"))).RootElement;
                check = clusters.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("check");
                output.WriteLine($"check {attempt}: {check}");
                if (check.GetProperty("reachable").GetBoolean())
                    break;
            }
            Assert.True(check.GetProperty("reachable").GetBoolean(), check.ToString());
            Assert.True(File.Exists(rad.AllowedPluginRuns), "the allowed plugin did not run when the cluster was used");
        }
        finally
        {
            await rad.Http.DeleteAsync(new Uri(rad.Api, $"/api/clusters/{name}"));
        }
    }

    [Fact]
    public async Task Allowed_exec_plugin_with_an_environment_of_the_kubeconfig_is_refused()
    {
        var name = $"env-{Guid.NewGuid():N}"[..20];
        var kubeconfig = ExecKubeconfig(_server.Url, rad.AllowedPlugin).Replace("      command: " + rad.AllowedPlugin,
            "      command: " + rad.AllowedPlugin + "\n      env:\n      - name: LD_PRELOAD\n        value: /tmp/hostile.so");

        var (status, body, elapsed) = await RegisterAsync(name, kubeconfig);

        output.WriteLine($"allowed exec plugin with exec.env: {(int)status} in {elapsed.TotalMilliseconds:0} ms: {body}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("exec.env (LD_PRELOAD)", body);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the refusal took {elapsed.TotalMilliseconds:0} ms");
        Assert.False(File.Exists(rad.AllowedPluginRuns), "the allowed plugin ran at registration");
    }

    [Theory]
    [InlineData("tokenFile", "token")]
    [InlineData("client-key", "client-key-data")]
    [InlineData("client-certificate", "client-certificate-data")]
    [InlineData("certificate-authority", "certificate-authority-data")]
    public async Task Kubeconfig_naming_a_host_file_is_refused_naming_the_field_and_the_file_is_never_read(string field, string inline)
    {
        // A file only the server's host has, holding a secret the request must never see or store.
        var secret = $"HOST-SECRET-{Guid.NewGuid():N}";
        var file = Path.Combine(rad.Plugins, $"host-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, secret);
        var pem = Convert.ToBase64String("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"u8.ToArray());
        var user = field switch
        {
            "tokenFile" => $"    tokenFile: {file}",
            "client-key" => $"    client-certificate-data: {pem}\n    client-key: {file}",
            "client-certificate" => $"    client-certificate: {file}\n    client-key-data: {pem}",
            _ => "    token: inline-token",
        };
        var authority = field == "certificate-authority" ? $"\n    certificate-authority: {file}" : "";
        var kubeconfig = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://127.0.0.1:9{authority}
            users:
            - name: u
              user:
            {user}
            contexts:
            - name: x
              context:
                cluster: c
                user: u
            current-context: x
            """;
        var name = $"file-{Guid.NewGuid():N}"[..20];

        var (status, body, elapsed) = await RegisterAsync(name, kubeconfig);

        output.WriteLine($"{field} naming a host file: {(int)status} in {elapsed.TotalMilliseconds:0} ms: {body}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var at = field == "certificate-authority" ? "clusters[c].cluster.certificate-authority" : $"users[u].user.{field}";
        Assert.Contains($"{at} names a file ({file}), and RAD does not read files on the server", body);
        Assert.Contains($"inline it as {(field == "certificate-authority" ? "clusters[c].cluster" : "users[u].user")}.{inline} (", body);
        Assert.DoesNotContain(secret, body);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the refusal took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(HttpStatusCode.NotFound, (await rad.Http.GetAsync(new Uri(rad.Api, $"/api/clusters/{name}"))).StatusCode);
    }

    async Task<(HttpStatusCode Status, string Body, TimeSpan Elapsed)> RegisterAsync(string name, string kubeconfig)
    {
        var watch = Stopwatch.StartNew();
        using var response = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/clusters"), new { name, kubeconfig });
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, watch.Elapsed);
    }

    static string ExecKubeconfig(Uri server, string command) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: {server.ToString().TrimEnd('/')}
        users:
        - name: u
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: {command}
        contexts:
        - name: x
          context:
            cluster: c
            user: u
        current-context: x
        """;

    /// <summary>The test's own RAD whose operator allows one credential plugin, which records each run and prints the fake server's token.</summary>
    public sealed class PluginRad : IsolatedRad, IDisposable
    {
        public string Plugins { get; } = Directory.CreateTempSubdirectory("rad-plugins-").FullName;
        public string AllowedPlugin => Path.Combine(Plugins, "allowed-plugin");
        public string AllowedPluginRuns => Path.Combine(Plugins, "allowed-plugin.runs");

        protected override void Configure(IDictionary<string, string> environment)
        {
            File.WriteAllText(AllowedPlugin, "#!/bin/sh\necho run >> " + AllowedPluginRuns + "\n" +
                "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$(cat " +
                Path.Combine(Plugins, "token") + ")\"\n");
            File.SetUnixFileMode(AllowedPlugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            environment["Rad__Kubernetes__ExecAllowlist"] = AllowedPlugin + ",some-other-plugin";
        }

        public void Dispose() => Directory.Delete(Plugins, recursive: true);
    }
}
