using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Rad.Hosting;

public static class SecretsRegistration
{
    public const string KeyDirectorySetting = "Rad:DataProtection:KeyDirectory";
    const string ApplicationName = "rad";

    /// <summary>
    /// <see cref="SealedSecrets"/> on Data Protection with its key ring in <see cref="KeyDirectory"/> (created 0700), the
    /// same application name in every service so that what one seals another unseals. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddRadSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(s => s.ServiceType == typeof(SealedSecrets)))
            return services;
        var directory = KeyDirectory(configuration);
        EnsureKey(directory);
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToFileSystem(new DirectoryInfo(directory));
        services.TryAddSingleton(sp => new SealedSecrets(sp.GetRequiredService<IDataProtectionProvider>(), directory));
        return services;
    }

    /// <summary>
    /// Makes the key ring's first key, by one process only, before Data Protection's own start-up step loads the ring
    /// (and would create a key of its own in each service that starts together, so that what one sealed another could
    /// not unseal until its next refresh, a day later). The directory's lock file serialises the services.
    /// </summary>
    static void EnsureKey(string directory)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var held = new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                // Loads the ring and, when it holds no usable key, creates one and writes it: under the lock, once.
                DataProtectionProvider.Create(new DirectoryInfo(directory), d => d.SetApplicationName(ApplicationName)).CreateProtector("rad.key-ring").Protect([0]);
                if (!OperatingSystem.IsWindows())
                    foreach (var key in Directory.EnumerateFiles(directory, "*.xml"))
                        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>
    /// Rad:DataProtection:KeyDirectory; else "keys" beside Rad:Workspace (scripts/up: .rad/keys beside .rad/work); else
    /// ~/.rad/keys. Created with mode 0700, and made so if it exists: the keys decrypt every stored secret.
    /// </summary>
    public static string KeyDirectory(IConfiguration configuration)
    {
        var directory = configuration[KeyDirectorySetting] is { Length: > 0 } configured ? Path.GetFullPath(configured)
            : configuration["Rad:Workspace"] is { Length: > 0 } workspace
                ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(workspace).TrimEnd(Path.DirectorySeparatorChar))!, "keys")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".rad", "keys");
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(directory);
        else
        {
            Directory.CreateDirectory(directory, OwnerOnly);
            File.SetUnixFileMode(directory, OwnerOnly);
        }
        return directory;
    }
}
