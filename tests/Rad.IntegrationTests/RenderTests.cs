using System.Diagnostics;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>scripts/rad render --target kubernetes, checked by an independent validator (npm kubernetes-models, the official OpenAPI schema).</summary>
[Collection(nameof(StackCollection))]
public sealed class RenderTests(Stack stack)
{
    [Fact]
    public async Task Rendered_manifests_pass_the_kubernetes_schema_and_pin_the_deployed_image()
    {
        var name = Stack.UniqueName("render");
        var (port, nodePort) = (Stack.FreePort(), Stack.FreePort());
        // Outside 30000-32767, so the configured Service type applies (inside it is always a NodePort).
        var lbPort = Enumerable.Range(18000, 1000).First(p => !Listening(p));
        var files = Repos.WebApp(name, port);
        files["rad.json"] = $$"""
            {
              "applications": [
                { "application_name": "{{name}}", "dockerfile": "Dockerfile", "replica_count": 2, "port": {{port}},
                  "resources": { "requests": { "cpu": "100m", "memory": "32Mi" }, "limits": { "memory": "64Mi" } } },
                { "application_name": "{{name}}-lb", "dockerfile": "Dockerfile", "replica_count": 1, "port": {{lbPort}}, "container_port": {{port}}, "service_type": "LoadBalancer" },
                { "application_name": "{{name}}-node", "dockerfile": "Dockerfile", "replica_count": 1, "port": {{nodePort}}, "container_port": {{port}} }
              ],
              "registry": { "address": "127.0.0.1:5000/it" }
            }
            """;
        var url = await stack.PublishRepoAsync(name, files);
        var checkout = Directory.CreateTempSubdirectory("rad-it-render-");
        try
        {
            await Stack.RunAsync("git", "clone", "-q", Path.Combine(stack.State, "git", $"{name}.git"), checkout.FullName);
            var id = await stack.DeployAsync(url);
            var deployed = await stack.WaitForEndAsync(id);

            var render = await stack.CliAsync("render", "--target", "kubernetes", checkout.FullName, "--namespace", "shop");
            var validation = await ValidateAsync(render.Stdout);

            Assert.True(render.ExitCode == 0, render.Stderr);
            Assert.True(validation.ExitCode == 0, validation.Output);
            Assert.Contains("7 document(s), 0 invalid", validation.Output);
            // The first application was deployed by RAD: the render pins exactly the image RAD deployed.
            var image = deployed.Applications[0].Image!;
            Assert.Contains($"image: {image}\n", render.Stdout);
            Assert.Contains("type: LoadBalancer", render.Stdout);
            Assert.Contains($"nodePort: {nodePort}", render.Stdout);
            Assert.Contains("memory: 64Mi", render.Stdout);
            Assert.Contains($"rad/commit: {deployed.Commit}", render.Stdout);
        }
        finally
        {
            checkout.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_validator_rejects_what_the_schema_forbids()
    {
        var broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers: []\n";

        var validation = await ValidateAsync(broken);

        Assert.Equal(1, validation.ExitCode);
        Assert.Contains("must have required property selector", validation.Output);
    }

    [Fact]
    public async Task Render_of_a_folder_that_is_not_a_checkout_exits_2_and_says_why()
    {
        var empty = Directory.CreateTempSubdirectory("rad-it-render-empty-");
        try
        {
            var render = await stack.CliAsync("render", "--target", "kubernetes", empty.FullName);

            Assert.Equal(2, render.ExitCode);
            Assert.Contains("rad.json does not exist", render.Stderr);
        }
        finally
        {
            empty.Delete();
        }
    }

    static bool Listening(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    async Task<(int ExitCode, string Output)> ValidateAsync(string yaml)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(stack.Root, "tests", "k8s-schema", "validate.mjs")])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(yaml);
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync() + await node.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(limit.Token);
        return (node.ExitCode, output);
    }
}
