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
        Assert.Equal("CA-DATA", Encoding.UTF8.GetString(context.CertificateAuthority!));
        Assert.Equal("s3cr3t-token", context.Token);
        Assert.DoesNotContain("s3cr3t", context.ToString());
    }

    [Fact]
    public void Chosen_context_with_basic_auth_skip_verify_server_name_and_default_namespace()
    {
        var context = Kubeconfig.Load(Many, "lab");

        Assert.True(context.InsecureSkipTlsVerify);
        Assert.Equal("kubernetes.default", context.TlsServerName);
        Assert.Equal(("admin", "pa55"), (context.Username, context.Password));
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

            Assert.Equal("CERT", Encoding.UTF8.GetString(context.ClientCertificate!));
            Assert.Equal("KEY", Encoding.UTF8.GetString(flat.ClientKey!));
            Assert.Equal(context.Server, flat.Server);
            Assert.Equal("CA-DATA", Encoding.UTF8.GetString(flat.CertificateAuthority!));
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
        var exec = Kubeconfig.Load(Many, "gke").Exec!;
        var flat = Kubeconfig.Load(Kubeconfig.Flatten(Kubeconfig.Load(Many, "gke"))).Exec!;

        Assert.Equal(("gke-gcloud-auth-plugin", "client.authentication.k8s.io/v1beta1"), (exec.Command, exec.ApiVersion));
        Assert.Equal(["--verbose"], exec.Args);
        Assert.Equal("shop", exec.Env["CLOUDSDK_CORE_PROJECT"]);
        Assert.True(exec.ProvideClusterInfo);
        Assert.Equal(exec.Command, flat.Command);
        Assert.Equal(exec.Args, flat.Args);
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
    }
}
