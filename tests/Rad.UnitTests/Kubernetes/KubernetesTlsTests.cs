using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rad.FakeKubernetes;
using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>The TLS half of a kubeconfig, against the fake served over HTTPS with certificates made for the test.</summary>
public sealed class KubernetesTlsTests : IAsyncLifetime
{
    readonly RSA _caKey = RSA.Create(2048);
    X509Certificate2 _ca = null!;
    X509Certificate2 _otherCa = null!;
    FakeKubernetesServer _server = null!;
    (string Certificate, string Key) _client;

    public async Task InitializeAsync()
    {
        _ca = SelfSigned("CN=rad-test-ca", _caKey);
        _otherCa = SelfSigned("CN=someone-else", RSA.Create(2048));
        using var serverKey = RSA.Create(2048);
        var server = Issue("CN=kube-apiserver", serverKey, serverAuth: true);
        using var clientKey = RSA.Create(2048);
        _client = (Issue("CN=rad", clientKey, serverAuth: false).ExportCertificatePem(), clientKey.ExportPkcs8PrivateKeyPem());
        _server = await FakeKubernetesServer.StartAsync(server, clientCa: _ca);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    string Kubeconfig(string cluster, string user) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: tls
          cluster:
            server: {_server.Url.ToString().TrimEnd('/')}
        {cluster}
        users:
        - name: me
          user:
        {user}
        contexts:
        - name: tls
          context: {"{"}cluster: tls, user: me{"}"}
        current-context: tls
        """;

    static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    [Fact]
    public async Task Client_certificate_and_certificate_authority_from_the_kubeconfig_are_used()
    {
        var config = Kubeconfig($"    certificate-authority-data: {B64(_ca.ExportCertificatePem())}",
            $"    client-certificate-data: {B64(_client.Certificate)}\n    client-key-data: {B64(_client.Key)}");
        using var client = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(config));

        var version = await client.VersionAsync(CancellationToken.None);

        Assert.Equal("v1.30.0-fake", version);
    }

    [Fact]
    public async Task A_server_certificate_from_another_authority_is_refused_unless_verification_is_skipped()
    {
        var wrongCa = Kubeconfig($"    certificate-authority-data: {B64(_otherCa.ExportCertificatePem())}", $"    token: {_server.Token}");
        var skip = Kubeconfig("    insecure-skip-tls-verify: true", $"    token: {_server.Token}");
        var noClientCertificate = Kubeconfig($"    certificate-authority-data: {B64(_ca.ExportCertificatePem())}", "    username: nobody\n    password: wrong");
        using var refused = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(wrongCa));
        using var skipping = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(skip));
        using var anonymous = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(noClientCertificate));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => refused.VersionAsync(CancellationToken.None));
        var version = await skipping.VersionAsync(CancellationToken.None);
        var unauthorized = await Assert.ThrowsAsync<KubernetesApiException>(() => anonymous.VersionAsync(CancellationToken.None));

        Assert.Equal("Unreachable", error.Reason);
        Assert.Equal("v1.30.0-fake", version);
        Assert.Equal(401, unauthorized.Code);
    }

    [Fact]
    public async Task The_server_certificate_is_checked_against_tls_server_name_when_it_is_given()
    {
        var ca = $"    certificate-authority-data: {B64(_ca.ExportCertificatePem())}";
        using var named = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(Kubeconfig($"{ca}\n    tls-server-name: localhost", $"    token: {_server.Token}")));
        using var misnamed = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(Kubeconfig($"{ca}\n    tls-server-name: apiserver.example.com", $"    token: {_server.Token}")));

        Assert.Equal("v1.30.0-fake", await named.VersionAsync(CancellationToken.None));
        Assert.Equal("Unreachable", (await Assert.ThrowsAsync<KubernetesApiException>(() => misnamed.VersionAsync(CancellationToken.None))).Reason);
    }

    [Fact]
    public async Task A_certificate_from_the_right_authority_but_for_another_name_is_refused()
    {
        using var key = RSA.Create(2048);
        await using var elsewhere = await FakeKubernetesServer.StartAsync(Issue("CN=elsewhere", key, serverAuth: true, dnsName: "elsewhere.example"));
        var config = Kubeconfig($"    certificate-authority-data: {B64(_ca.ExportCertificatePem())}", $"    token: {elsewhere.Token}")
            .Replace(_server.Url.ToString().TrimEnd('/'), elsewhere.Url.ToString().TrimEnd('/'));
        using var client = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(config));
        using var named = new KubernetesDynamicClient(Rad.Kubernetes.Kubeconfig.Load(config.Replace("    certificate-authority-data", "    tls-server-name: elsewhere.example\n    certificate-authority-data")));

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => client.VersionAsync(CancellationToken.None));

        Assert.Equal("Unreachable", refused.Reason);
        Assert.Equal("v1.30.0-fake", await named.VersionAsync(CancellationToken.None));
    }

    static X509Certificate2 SelfSigned(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    X509Certificate2 Issue(string subject, RSA key, bool serverAuth, string? dnsName = null)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            if (dnsName is null)
            {
                names.AddIpAddress(IPAddress.Loopback);
                names.AddDnsName("localhost");
            }
            else
                names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }
        using var issued = request.Create(_ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }
}
