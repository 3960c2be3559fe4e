using System.Text.Json;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>scripts/rad as a person or a CI script runs it: exit codes 0 (succeeded), 1 (deployment failed), 2 (usage or connection).</summary>
[Collection(nameof(StackCollection))]
public sealed class CliTests(Stack stack)
{
    [Fact]
    public async Task Deploy_follow_prints_each_stage_and_the_endpoints_and_exits_0()
    {
        var name = Stack.UniqueName("cli");
        var port = Stack.FreePort();
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, port));

        var (exit, stdout, stderr) = await stack.CliAsync("deploy", url, "--follow");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("IN PROGRESS") && l.EndsWith("clone user git repository: " + url + " at HEAD", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("COMPLETED") && l.Contains($"build docker image[{name}]"));
        Assert.Contains(lines, l => l.Contains("succeeded in"));
        Assert.Contains(lines, l => l.Contains(name) && l.Contains($"http://127.0.0.1:{port}") && l.Contains("1/1 running"));
    }

    [Fact]
    public async Task Deploy_follow_of_a_failing_build_exits_1_with_the_reason_on_stderr()
    {
        var name = Stack.UniqueName("cli-bad");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort(), extraDockerLines: "RUN echo the compiler says no && exit 3"));

        var (exit, stdout, stderr) = await stack.CliAsync("deploy", url, "--follow");

        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("failed", stderr);
        Assert.Contains($"build docker image[{name}]", stderr);
        Assert.Contains("the compiler says no", stderr);
    }

    [Fact]
    public async Task Deploy_on_the_bus_deploys_and_json_output_is_the_final_status()
    {
        var name = Stack.UniqueName("cli-bus");
        var port = Stack.FreePort();
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, port));

        var (exit, stdout, stderr) = await stack.CliAsync("deploy", url, "--bus", "--follow", "--output", "json");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var status = JsonSerializer.Deserialize<DeploymentView>(stdout, Stack.Json)!;
        Assert.Equal("Succeeded", status.State);
        Assert.Equal(url, status.Repository);
        using var http = new HttpClient();
        Assert.Equal($"Hello from {name}", (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Status_log_and_list_show_a_deployment()
    {
        var name = Stack.UniqueName("cli-show");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));
        var id = await stack.DeployAsync(url);
        await stack.WaitForEndAsync(id);

        var status = await stack.CliAsync("status", id.ToString());
        var log = await stack.CliAsync("log", id.ToString());
        var list = await stack.CliAsync("list", "--output", "json", "--limit", "50");

        Assert.Equal(0, status.ExitCode);
        Assert.Contains("state       Succeeded", status.Stdout);
        Assert.Equal(0, log.ExitCode);
        Assert.Matches(@"^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\]: \[IN PROGRESS\]: clone user git repository", log.Stdout);
        Assert.Contains("time taken:", log.Stdout);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray(), d => d.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Usage_and_connection_errors_exit_2_with_what_to_do()
    {
        var missing = await stack.CliAsync("deploy");
        var unknown = await stack.CliAsync("status", Guid.NewGuid().ToString());
        var unreachable = await stack.CliAsync("list", "--api", "http://127.0.0.1:9");
        var invalid = await stack.CliAsync("deploy", "not a url at all");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("Required argument missing", missing.Stderr);
        Assert.Contains("Try 'rad deploy --help'", missing.Stderr);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("No deployment has id", unknown.Stderr);
        Assert.Equal(2, unreachable.ExitCode);
        Assert.Contains("cannot reach RAD at http://127.0.0.1:9/", unreachable.Stderr);
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("repository: \"not a url at all\" is not a URL: use https://, ssh://, git:// or user@host:path.", invalid.Stderr);
    }
}
