using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Rad.Hosting;

public sealed class SealedSecretException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Secrets RAD must keep (a registered cluster's kubeconfig, a repository's credentials while its deployment runs),
/// encrypted with ASP.NET Core Data Protection (authenticated AES-256-CBC + HMACSHA256, keys rotated every 90 days)
/// under a key ring kept in a directory outside the database (<see cref="SecretsRegistration"/>), so a copy of the
/// database or a message on the broker holds no usable secret. Each use has its own purpose: a value sealed for one
/// cannot be unsealed as another. Every RAD service that seals or unseals shares the one key ring.
/// </summary>
public sealed class SealedSecrets(IDataProtectionProvider provider, string? keyDirectory = null)
{
    /// <summary>What every sealed value starts with, so a stored value says whether it is sealed.</summary>
    public const string Prefix = "rad-sealed:v1:";

    public string? KeyDirectory => keyDirectory;

    public static bool IsSealed(string? text) => text?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    public string Seal(string purpose, string secret) => Prefix + provider.CreateProtector(purpose).Protect(secret);

    /// <summary>The secret; throws <see cref="SealedSecretException"/> saying why when it is not sealed or not with this key ring.</summary>
    public string Unseal(string purpose, string text)
    {
        if (!IsSealed(text))
            throw new SealedSecretException("the value is not sealed (it was stored before RAD encrypted such secrets, or written by hand)");
        try
        {
            return provider.CreateProtector(purpose).Unprotect(text[Prefix.Length..]);
        }
        catch (CryptographicException e)
        {
            throw new SealedSecretException($"it cannot be decrypted with the key ring in {keyDirectory ?? "memory"} (was the key ring replaced or lost, " +
                                            "or is Rad__DataProtection__KeyDirectory not the same for every RAD service?)", e);
        }
    }
}
