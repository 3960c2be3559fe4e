using Rad.Contracts;

namespace Rad.Hosting;

/// <summary>Repository credentials sealed where a request comes in (status API, saga, webhooks) and unsealed only in the cloner.</summary>
public static class RepositorySecrets
{
    /// <summary>The address without credentials, and its credentials sealed (null when it has none).</summary>
    public static (string Repository, string? Credentials) SealRepository(this SealedSecrets secrets, string repository)
    {
        var (stripped, userInfo) = RepositoryCredentials.Split(repository);
        return (stripped, userInfo is null ? null : secrets.Seal(RepositoryCredentials.Purpose, userInfo));
    }

    /// <summary>The address to clone from, credentials put back; throws <see cref="SealedSecretException"/> saying why they cannot be.</summary>
    public static string UnsealRepository(this SealedSecrets secrets, string repository, string? credentials) =>
        credentials is null ? repository : RepositoryCredentials.Join(repository, secrets.Unseal(RepositoryCredentials.Purpose, credentials));
}
