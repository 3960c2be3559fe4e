using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rad.Hosting;
using Xunit;

namespace Rad.UnitTests;

/// <summary>Secrets sealed with Data Protection under a key ring in a directory (issue 12, items 10 and 17).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SealedSecretsTests : IDisposable
{
    readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rad-sealed-");

    string Keys => Path.Combine(_dir.FullName, "keys");

    SealedSecrets Secrets(string? keys = null) => new ServiceCollection()
        .AddRadSecrets(new ConfigurationBuilder().AddInMemoryCollection([new(SecretsRegistration.KeyDirectorySetting, keys ?? Keys)]).Build())
        .BuildServiceProvider().GetRequiredService<SealedSecrets>();

    [Fact]
    public void What_one_service_seals_another_with_the_same_key_ring_unseals_and_only_for_the_same_purpose()
    {
        var sealedText = Secrets().Seal("a", "token-123");

        Assert.StartsWith(SealedSecrets.Prefix, sealedText);
        Assert.DoesNotContain("token-123", sealedText);
        Assert.Equal("token-123", Secrets().Unseal("a", sealedText));
        Assert.Throws<SealedSecretException>(() => Secrets().Unseal("b", sealedText));
    }

    [Fact]
    public void The_key_ring_directory_is_the_owners_only_and_holds_one_key_after_several_services_started()
    {
        var services = new SealedSecrets[4];
        Parallel.For(0, services.Length, i => services[i] = Secrets());
        var sealedTexts = services.Select(s => s.Seal("a", "x")).ToList();

        Assert.All(services, s => Assert.All(sealedTexts, t => Assert.Equal("x", s.Unseal("a", t))));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Keys));
        var key = Assert.Single(Directory.GetFiles(Keys, "key-*.xml"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }

    [Fact]
    public void Another_key_ring_or_a_plaintext_value_is_refused_saying_why()
    {
        var sealedText = Secrets().Seal("a", "token-123");

        Assert.Contains("cannot be decrypted with the key ring in", Assert.Throws<SealedSecretException>(() => Secrets(Path.Combine(_dir.FullName, "other")).Unseal("a", sealedText)).Message);
        Assert.Contains("is not sealed", Assert.Throws<SealedSecretException>(() => Secrets().Unseal("a", "apiVersion: v1")).Message);
    }

    [Fact]
    public void The_key_directory_defaults_to_keys_beside_the_workspace()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Rad:Workspace", Path.Combine(_dir.FullName, "work") + "/")]).Build();

        Assert.Equal(Path.Combine(_dir.FullName, "keys"), SecretsRegistration.KeyDirectory(configuration));
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
