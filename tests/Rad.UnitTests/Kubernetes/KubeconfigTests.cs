using System.Text;
using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>kubeconfig as `kubectl config` documents it (clusters, users, contexts, current-context).</summary>
public sealed class KubeconfigTests
{
    const string Many = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://dev.example.com:6443
            certificate-authority-data: Q0EtREFUQQ==
        - name: lab-cluster
          cluster:
            server: https://10.0.0.1
            insecure-skip-tls-verify: true
            tls-server-name: kubernetes.default
        users:
        - name: token-user
          user:
            token: s3cr3t-token
        - name: basic-user
          user:
            username: admin
            password: pa55
        - name: cert-user
          user:
            client-certificate: certs/client.crt
            client-key: certs/client.key
        - name: gke-user
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: gke-gcloud-auth-plugin
              args: ["--verbose"]
              env: [{name: CLOUDSDK_CORE_PROJECT, value: shop}]
              installHint: Install gke-gcloud-auth-plugin for use with kubectl
              provideClusterInfo: true
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: token-user, namespace: team-a}
        - name: lab
          context: {cluster: lab-cluster, user: basic-user}
        - name: certs
          context: {cluster: dev-cluster, user: cert-user}
        - name: gke
          context: {cluster: dev-cluster, user: gke-user}
        """;

    [Fact]
    public void Current_context_with_token_ca_data_and_namespace()
    {
        var context = Kubeconfig.Load(Many);

        Assert.Equal(("dev", "dev-cluster", "https://dev.example.com:6443/", "team-a"), (context.Name, context.ClusterName, context.Server.ToString(), context.Namespace));
        Assert.Equal("CA-DATA", Decode(context.Cluster.CertificateAuthorityData));
        Assert.Equal("s3cr3t-token", context.User.Token);
        Assert.Equal("bearer token", context.AuthKind);
        Assert.DoesNotContain("s3cr3t", context.ToString());
    }

    [Fact]
    public void Chosen_context_with_basic_auth_skip_verify_server_name_and_default_namespace()
    {
        var context = Kubeconfig.Load(Many, "lab");

        Assert.True(context.Cluster.SkipTlsVerify);
        Assert.Equal("kubernetes.default", context.Cluster.TlsServerName);
        Assert.Equal(("admin", "pa55"), (context.User.UserName, context.User.Password));
        Assert.Equal("default", context.Namespace);
        Assert.DoesNotContain("pa55", context.ToString());
    }

    [Fact]
    public void Certificate_files_are_read_relative_to_the_kubeconfig_and_flattened_inline()
    {
        var dir = Directory.CreateTempSubdirectory("rad-kubeconfig-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "certs"));
            File.WriteAllText(Path.Combine(dir.FullName, "certs", "client.crt"), "CERT");
            File.WriteAllText(Path.Combine(dir.FullName, "certs", "client.key"), "KEY");

            var context = Kubeconfig.Load(Many, "certs", dir.FullName);
            var flat = Kubeconfig.Load(Kubeconfig.Flatten(context));

            Assert.Equal("CERT", Decode(context.User.ClientCertificateData));
            Assert.Equal("KEY", Decode(flat.User.ClientKeyData));
            Assert.Equal(context.Server, flat.Server);
            Assert.Equal("CA-DATA", Decode(flat.Cluster.CertificateAuthorityData));
            Assert.Equal("client certificate", flat.AuthKind);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Exec_plugin_is_read_with_its_arguments_environment_and_hint()
    {
        var exec = Kubeconfig.Load(Many, "gke").User.ExternalExecution!;
        var flat = Kubeconfig.Load(Kubeconfig.Flatten(Kubeconfig.Load(Many, "gke"))).User.ExternalExecution!;

        Assert.Equal(("gke-gcloud-auth-plugin", "client.authentication.k8s.io/v1beta1"), (exec.Command, exec.ApiVersion));
        Assert.Equal(["--verbose"], exec.Arguments);
        Assert.Equal(("CLOUDSDK_CORE_PROJECT", "shop"), (exec.EnvironmentVariables[0]["name"], exec.EnvironmentVariables[0]["value"]));
        Assert.Equal("Install gke-gcloud-auth-plugin for use with kubectl", exec.InstallHint);
        Assert.True(exec.ProvideClusterInfo);
        Assert.Equal(exec.Command, flat.Command);
        Assert.Equal(exec.Arguments, flat.Arguments);
        Assert.Equal(exec.EnvironmentVariables[0]["value"], flat.EnvironmentVariables[0]["value"]);
        Assert.True(flat.ProvideClusterInfo);
    }

    [Fact]
    public void A_token_file_is_read_relative_to_the_kubeconfig_and_flattened_as_the_token()
    {
        var dir = Directory.CreateTempSubdirectory("rad-kubeconfig-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "token"), "file-token\n");
            var config = Many.Replace("    token: s3cr3t-token", "    tokenFile: token");

            var context = Kubeconfig.Load(config, "dev", dir.FullName);
            var flat = Kubeconfig.Load(Kubeconfig.Flatten(context));

            Assert.Equal("file-token", context.User.Token);
            Assert.Equal("file-token", flat.User.Token);
            Assert.Equal("team-a", flat.Namespace);
            Assert.Contains("tokenFile names /nonexistent/token, which cannot be read", Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(config, "dev", "/nonexistent")).Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("prod", "context 'prod' is not in the kubeconfig; it has: dev, lab, certs, gke")]
    public void Unknown_context_lists_the_known_ones(string context, string message)
    {
        Assert.Equal(message, Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many, context)).Message);
    }

    [Fact]
    public void Broken_kubeconfigs_say_what_and_where()
    {
        Assert.StartsWith("the kubeconfig is not valid YAML", Assert.Throws<KubeconfigException>(() => Kubeconfig.Load("clusters: [unclosed")).Message);
        Assert.Contains("cannot be read", Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many, "certs", "/nonexistent")).Message);
        Assert.Equal("the kubeconfig has no current-context; choose one of: dev, lab, certs, gke",
            Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many.Replace("current-context: dev", ""))).Message);
        Assert.Equal("clusters[dev-cluster].cluster.certificate-authority-data is not valid base64",
            Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many.Replace("Q0EtREFUQQ==", "not base64!"))).Message);
        Assert.Equal("clusters[dev-cluster].cluster.server \"ftp://x\" is not an https:// URL",
            Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many.Replace("https://dev.example.com:6443", "ftp://x"))).Message);
        Assert.Equal("users[gke-user].user.exec.command is missing",
            Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many.Replace("command: gke-gcloud-auth-plugin", ""), "gke")).Message);
        Assert.Equal("users[cert-user].user has a client certificate without its key (or a key without its certificate): give both",
            Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many.Replace("    client-key: certs/client.key\n", "").Replace("client-certificate: certs/client.crt", "client-certificate-data: Q0VSVA=="), "certs")).Message);
        Assert.Equal("context 'dev' names cluster 'dev-cluster', which is not in the kubeconfig; it has: gone, lab-cluster",
            Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Many.Replace("- name: dev-cluster", "- name: gone"))).Message);
    }

    [Fact]
    public void A_kubeconfig_flattened_by_the_hand_written_yaml_writer_still_loads()
    {
        // As RAD stored registered clusters before KubernetesClient: a leading "---", strings with ':' double-quoted.
        const string stored = """
            ---
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: "https://10.0.0.1:6443"
                certificate-authority-data: Q0EtREFUQQ==
                insecure-skip-tls-verify: true
            users:
            - name: rad
              user:
                token: "tok:en"
            contexts:
            - name: fake
              context:
                cluster: fake
                user: rad
                namespace: shop
            current-context: fake
            """;

        var context = Kubeconfig.Load(stored);

        Assert.Equal(("https://10.0.0.1:6443/", "shop", "tok:en", true), (context.Server.ToString(), context.Namespace, context.User.Token, context.Cluster.SkipTlsVerify));
    }

    static string Decode(string? base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64!));

    [Fact]
    public void A_kubeconfig_that_is_not_a_mapping_of_clusters_users_and_contexts_is_named_so()
    {
        Assert.StartsWith("the kubeconfig is not a kubeconfig", Assert.Throws<KubeconfigException>(() => Kubeconfig.Load("just text")).Message);
        Assert.Equal("the kubeconfig is empty", Assert.Throws<KubeconfigException>(() => Kubeconfig.Load("")).Message);
    }
}
