using Microsoft.Extensions.Options;

namespace Rad.Docker;

/// <summary>
/// Checks Rad:Registries at start-up, so a service never runs with credentials it would use wrongly. The host-only form
/// (Server) is refused with how to write it now: it let any rad.json push anywhere on that host with RAD's login and
/// sent that login as a pull secret into every namespace. No message carries a password.
/// </summary>
public sealed class RegistryCredentialsValidation : IValidateOptions<RegistryCredentials>
{
    public ValidateOptionsResult Validate(string? name, RegistryCredentials options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Registries.Count; i++)
        {
            var entry = options.Registries[i];
            var at = $"Rad__Registries__{i}";
            if (!string.IsNullOrWhiteSpace(entry.Server))
            {
                errors.Add($"{at}__Server is the old host-wide form, no longer accepted: it let any repository's rad.json push anywhere on {entry.Server} "
                           + $"with these credentials and wrote them as pull secrets. Write {at}__Host={entry.Server}, {at}__PathPrefix=<the repositories "
                           + $"they may push to, e.g. my-team; / for the whole host>, {at}__Access=push, and give Kubernetes read-only credentials in an "
                           + "entry of their own with __Access=pull");
                continue;
            }
            if (string.IsNullOrWhiteSpace(entry.Host))
                errors.Add($"{at}__Host is required (the registry's host[:port], e.g. registry.example.com:5000)");
            else if (entry.Host.Contains('/') || entry.Host.Contains("://", StringComparison.Ordinal))
                errors.Add($"{at}__Host \"{entry.Host}\" must be a host[:port] only; put the path in {at}__PathPrefix");
            if (entry.PathPrefix is null)
                errors.Add($"{at}__PathPrefix is required: the repositories these credentials cover (e.g. my-team), or / for the whole host");
            if (entry.Access is not (RegistryAccess.Push or RegistryAccess.Pull))
                errors.Add($"{at}__Access must be push or pull, found \"{entry.Access}\"");
            if (string.IsNullOrEmpty(entry.Username) || string.IsNullOrEmpty(entry.Password))
                errors.Add($"{at}__Username and {at}__Password are both required");
        }
        var duplicates = options.Registries.Where(r => string.IsNullOrWhiteSpace(r.Server))
            .GroupBy(r => (Host: r.Host.ToLowerInvariant(), r.Prefix, r.Access)).Where(g => g.Count() > 1);
        foreach (var duplicate in duplicates)
            errors.Add($"Rad__Registries lists {duplicate.Count()} {duplicate.Key.Access} entries for {duplicate.Key.Host}/{duplicate.Key.Prefix}; keep one");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
