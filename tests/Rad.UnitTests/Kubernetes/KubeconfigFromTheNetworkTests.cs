using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>
/// A kubeconfig that RAD is sent (no directory: the API, the database, a Cluster API Secret) names no host file and runs
/// only an allowed plugin (issue 12, item 11); the CLI, reading the operator's own file, still inlines the files it names.
/// </summary>
public sealed class KubeconfigFromTheNetworkTests
{
    static string Config(string user, string cluster = "") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: https://k8s.example.com{cluster}
        users:
        - name: u
          user:
        {user}
        contexts:
        - name: x
          context: {"{"}cluster: c, user: u{"}"}
        current-context: x
        """;

    [Theory]
    [InlineData("    tokenFile: /etc/hostname", "users[u].user.tokenFile names a file (/etc/hostname)", "inline it as users[u].user.token (the token itself)")]
    [InlineData("    client-certificate-data: Q0VSVA==\n    client-key: /etc/hostname", "users[u].user.client-key names a file (/etc/hostname)", "inline it as users[u].user.client-key-data")]
    [InlineData("    client-certificate: relative.crt\n    client-key-data: S0VZ", "users[u].user.client-certificate names a file (relative.crt)", "inline it as users[u].user.client-certificate-data")]
    public void A_file_named_by_the_user_is_refused_naming_the_field_and_how_to_inline_it(string user, string field, string fix)
    {
        var refusal = Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Config(user))).Message;

        Assert.Contains(field + ", and RAD does not read files on the server", refusal);
        Assert.Contains(fix, refusal);
    }

    [Fact]
    public void A_certificate_authority_file_is_refused_and_its_data_form_accepted()
    {
        var refusal = Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Config("    token: t", "\n    certificate-authority: /etc/ssl/certs/ca-certificates.crt"))).Message;

        Assert.Contains("clusters[c].cluster.certificate-authority names a file (/etc/ssl/certs/ca-certificates.crt)", refusal);
        Assert.Contains("inline it as clusters[c].cluster.certificate-authority-data", refusal);
        Assert.Equal("Q0E=", Kubeconfig.Load(Config("    token: t", "\n    certificate-authority-data: Q0E=")).Cluster.CertificateAuthorityData);
    }

    [Fact]
    public void The_cli_reading_its_own_file_still_inlines_the_files_it_names()
    {
        var dir = Directory.CreateTempSubdirectory("rad-kubeconfig-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "token"), "file-token\n");

            Assert.Equal("file-token", Kubeconfig.Load(Config("    tokenFile: token"), directory: dir.FullName).User.Token);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    static KubeContext Exec(string command, string env = "") => Kubeconfig.Load(Config(
        $"    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {command}{env}"));

    [Fact]
    public void Only_a_plugin_on_the_allowlist_written_exactly_so_may_run()
    {
        var policy = new ExecPluginPolicy([" aws ", "/usr/bin/gke-gcloud-auth-plugin", ""]);

        Assert.Null(policy.Refusal(Kubeconfig.Load(Config("    token: t"))));
        Assert.Null(policy.Refusal(Exec("aws")));
        Assert.Null(policy.Refusal(Exec("/usr/bin/gke-gcloud-auth-plugin")));
        // Same file name elsewhere, or a path where the list has a name: not the plugin the operator allowed.
        Assert.Contains("exec.command '/tmp/aws' is a credential plugin that the operator has not allowed", policy.Refusal(Exec("/tmp/aws")));
        Assert.NotNull(policy.Refusal(Exec("gke-gcloud-auth-plugin")));
        Assert.Contains("Rad__Kubernetes__ExecAllowlist", new ExecPluginPolicy([]).Refusal(Exec("aws")));
        Assert.Contains("(none are)", new ExecPluginPolicy([]).Refusal(Exec("aws")));
    }

    [Fact]
    public void An_allowed_plugin_with_an_environment_from_the_kubeconfig_is_refused()
    {
        var policy = new ExecPluginPolicy(["aws"]);

        var refusal = policy.Refusal(Exec("aws", "\n      env:\n      - name: AWS_CONFIG_FILE\n        value: /tmp/hostile"));

        Assert.Contains("exec.env (AWS_CONFIG_FILE), which RAD does not accept", refusal);
    }
}
