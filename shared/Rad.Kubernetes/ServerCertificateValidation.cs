using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Rad.Kubernetes;

/// <summary>
/// How the API server's certificate is checked: issued by the kubeconfig's certificate authority (or a system root
/// without one) and for the server's name, or for tls-server-name when the kubeconfig gives one. KubernetesClient 21
/// checks neither name once a certificate authority is given (any certificate that authority signed passes), so RAD
/// installs this check on the library's handler instead of the library's own.
/// </summary>
public static class ServerCertificateValidation
{
    public static RemoteCertificateValidationCallback For(X509Certificate2Collection? authorities, string? serverName) => (_, certificate, _, errors) =>
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return false;
        var presented = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (serverName is null ? errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) : !presented.MatchesHostname(serverName))
            return false;
        if (authorities is null)
            return !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    };
}
