using System.Formats.Tar;
using System.Text;
using Rad.Cloner;
using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

/// <summary>Symbolic links in a checkout never lead RAD's reads or a build context out of the repository.</summary>
public sealed class CheckoutLinksTests : IDisposable
{
    const string Commit = "0123456789abcdef0123456789abcdef01234567";
    readonly string _root = Directory.CreateTempSubdirectory("rad-links-").FullName;
    readonly string _checkout;
    readonly string _host;

    public CheckoutLinksTests()
    {
        _checkout = Directory.CreateDirectory(Path.Combine(_root, "checkout")).FullName;
        _host = Directory.CreateDirectory(Path.Combine(_root, "host")).FullName;
        File.WriteAllText(Path.Combine(_host, "secret.txt"), "host secret");
        File.WriteAllText(Path.Combine(_host, "config.json"), """{"applications": []}""");
        Directory.CreateDirectory(Path.Combine(_checkout, "app"));
        File.WriteAllText(Path.Combine(_checkout, "app", "Dockerfile"), "FROM scratch\n");
    }

    static string RadJson(string context, string dockerfile) =>
        $$$"""{"applications": [{"application_name": "web", "dockerfile": "{{{dockerfile}}}", "context": "{{{context}}}", "replica_count": 1, "port": 30000}], "registry": {"address": "127.0.0.1:5000/t"} }""";

    string? ErrorOf() => WorkspaceConfig.Read(_checkout, "rad.json", Commit).Error;

    [Fact]
    public void A_rad_json_linked_to_a_host_file_is_refused_without_reading_it()
    {
        File.CreateSymbolicLink(Path.Combine(_checkout, "rad.json"), Path.Combine(_host, "config.json"));

        Assert.Equal($"rad.json is a symbolic link to {Path.Combine(_host, "config.json")}, outside the repository; it must be a file of the repository", ErrorOf());
    }

    [Fact]
    public void A_rad_json_linked_to_dev_zero_or_up_the_tree_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_checkout, "rad.json"), "/dev/zero");
        Assert.StartsWith("rad.json is a symbolic link to /dev/zero, outside the repository", ErrorOf());

        File.Delete(Path.Combine(_checkout, "rad.json"));
        File.CreateSymbolicLink(Path.Combine(_checkout, "rad.json"), "../host/config.json");
        Assert.StartsWith("rad.json leads outside the repository", ErrorOf());
    }

    [Fact]
    public void A_rad_json_over_1_MiB_is_refused_and_one_linked_inside_is_read()
    {
        File.WriteAllText(Path.Combine(_checkout, "big.json"), new string(' ', 1024 * 1024 + 1));
        File.CreateSymbolicLink(Path.Combine(_checkout, "rad.json"), "big.json");
        Assert.Equal("rad.json is larger than 1024 KiB at commit 0123456789ab; a rad.json is a few KiB", ErrorOf());

        File.WriteAllText(Path.Combine(_checkout, "big.json"), RadJson("app", "app/Dockerfile"));
        Assert.Null(ErrorOf());
    }

    [Fact]
    public void A_context_linked_out_of_the_repository_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_checkout, "ctx"), _host);
        File.WriteAllText(Path.Combine(_checkout, "rad.json"), RadJson("ctx", "app/Dockerfile"));

        Assert.Equal($"rad.json: applications[0].context 'ctx' is a symbolic link to {_host}, outside the repository", ErrorOf());
    }

    [Fact]
    public async Task A_link_inside_a_context_is_sent_as_a_link_and_never_followed()
    {
        Directory.CreateSymbolicLink(Path.Combine(_checkout, "app", "hostdir"), _host);
        File.CreateSymbolicLink(Path.Combine(_checkout, "app", "hostfile"), Path.Combine(_host, "secret.txt"));

        await using var tar = new MemoryStream();
        await BuildContext.WriteAsync(Path.Combine(_checkout, "app"), tar, long.MaxValue, CancellationToken.None);
        tar.Position = 0;

        var entries = new List<TarEntry>();
        await using (var reader = new TarReader(tar, leaveOpen: true))
            while (await reader.GetNextEntryAsync() is { } entry)
                entries.Add(entry);
        Assert.Equal(["Dockerfile", "hostdir", "hostfile"], entries.Select(e => e.Name).Order());
        Assert.All(entries.Where(e => e.Name.StartsWith("host", StringComparison.Ordinal)), e => Assert.Equal(TarEntryType.SymbolicLink, e.EntryType));
        Assert.DoesNotContain("host secret", Encoding.UTF8.GetString(tar.ToArray()));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
