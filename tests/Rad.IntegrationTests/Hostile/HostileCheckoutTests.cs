using System.Diagnostics;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, items 2, 4 and 5: what a repository can make RAD read. A symlinked context took the host's files into the
/// image; a rad.json linked to /etc/passwd leaked its first character, to /dev/zero it took the cloner to 9.35 GB; a NUL
/// in rad.json kept the failure from being stored for 120 s. Each now fails at once with the reason, reading nothing
/// outside the checkout, and links inside a context travel as links.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class HostileCheckoutTests(Stack stack)
{
    static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(30);

    async Task<(string Error, TimeSpan Took)> FailureOf(string repository)
    {
        var watch = Stopwatch.StartNew();
        var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(repository));
        Assert.True(deployment.State == "Failed", $"the deployment ended {deployment.State}");
        return (deployment.Error!, watch.Elapsed);
    }

    static string RadJsonWithContext(string name, int port, string context) => $$"""
        {
          "applications": [ { "application_name": "{{name}}", "dockerfile": "Dockerfile", "context": "{{context}}", "replica_count": 1, "port": {{port}} } ],
          "registry": { "address": "127.0.0.1:5000/it" }
        }
        """;

    [Fact]
    public async Task A_context_linked_to_a_host_folder_fails_naming_the_link()
    {
        var name = Stack.UniqueName("ctxlink");
        var files = Repos.WebApp(name, Stack.FreePort());
        files["rad.json"] = RadJsonWithContext(name, Stack.FreePort(), "ctx");

        var (error, took) = await FailureOf(await stack.PublishRepoAsync(name, files, new Dictionary<string, string> { ["ctx"] = "/etc" }));

        Assert.Equal("clone user git repository: rad.json: applications[0].context 'ctx' is a symbolic link to /etc, outside the repository", error);
        Assert.True(took < AtOnce, $"took {took.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_rad_json_linked_to_a_host_file_fails_without_showing_any_of_it()
    {
        var name = Stack.UniqueName("cfglink");
        var files = Repos.WebApp(name, Stack.FreePort());
        files.Remove("rad.json");

        var (error, took) = await FailureOf(await stack.PublishRepoAsync(name, files, new Dictionary<string, string> { ["rad.json"] = "/etc/passwd" }));

        Assert.StartsWith("clone user git repository: rad.json is a symbolic link to /etc/passwd, outside the repository", error);
        Assert.DoesNotContain("root", error);
        Assert.True(took < AtOnce, $"took {took.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_rad_json_linked_to_dev_zero_fails_and_the_cloner_stays_small()
    {
        var name = Stack.UniqueName("zero");
        var files = Repos.WebApp(name, Stack.FreePort());
        files.Remove("rad.json");

        var (error, took) = await FailureOf(await stack.PublishRepoAsync(name, files, new Dictionary<string, string> { ["rad.json"] = "/dev/zero" }));

        Assert.StartsWith("clone user git repository: rad.json is a symbolic link to /dev/zero, outside the repository", error);
        Assert.True(took < AtOnce, $"took {took.TotalSeconds:0.0} s");
        var megabytes = stack.ServiceRssMegabytes("cloner");
        Assert.True(megabytes < 400, $"the cloner holds {megabytes} MB");
    }

    [Fact]
    public async Task Links_inside_a_context_that_lead_out_are_sent_as_links_and_the_host_file_is_not_in_the_image()
    {
        var name = Stack.UniqueName("innerlink");
        var port = Stack.FreePort();
        var files = Repos.WebApp(name, port);
        var host = Directory.CreateTempSubdirectory("rad-host-");
        try
        {
            var secret = $"host secret {Guid.NewGuid():N}";
            await File.WriteAllTextAsync(Path.Combine(host.FullName, "secret"), secret);

            var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(await stack.PublishRepoAsync(name, files,
                new Dictionary<string, string> { ["www/hostfile"] = Path.Combine(host.FullName, "secret"), ["www/hostdir"] = host.FullName })));

            Assert.True(deployment.State == "Succeeded", deployment.Error);
            var inside = await Stack.RunAsync("docker", "run", "--rm", "--entrypoint", "sh", deployment.Applications.Single().Image!, "-c",
                "for f in /www/hostfile /www/hostdir; do if [ -L $f ]; then echo link; else echo not-a-link; fi; done; cat /www/hostfile /www/hostdir/secret 2>/dev/null; true");
            Assert.Equal("link\nlink", inside.Trim());
        }
        finally
        {
            host.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_nul_character_in_rad_json_fails_at_once_with_the_real_reason()
    {
        var name = Stack.UniqueName("nul");
        var files = Repos.WebApp(name, Stack.FreePort());
        files["rad.json"] = files["rad.json"].Replace($"\"application_name\": \"{name}\"", $"\"application_name\": \"{name}\\u0000x\"");

        var (error, took) = await FailureOf(await stack.PublishRepoAsync(name, files));

        // PostgreSQL refused the NUL in the stored reason; the deployment then failed 120 s later as "may be down or stuck".
        Assert.StartsWith($"clone user git repository: rad.json is invalid: applications[0].application_name \"{name}\\u0000x\" must be", error);
        Assert.True(took < AtOnce, $"took {took.TotalSeconds:0.0} s");
    }
}
