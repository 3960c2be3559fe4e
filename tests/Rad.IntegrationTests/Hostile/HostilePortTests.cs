using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>Issue 12, item 9: port 22 was accepted for an application on the local Swarm. Ports of the machine's own services and RAD's are refused with the reason.</summary>
[Collection(nameof(StackCollection))]
public sealed class HostilePortTests(Stack stack)
{
    [Theory]
    [InlineData(22, "port 22 is below 1024, where the machine's own services listen (22 is ssh)")]
    [InlineData(5432, "port 5432 is PostgreSQL's")]
    public async Task A_port_of_the_machines_or_rads_own_services_fails_the_deploy_with_the_reason(int port, string reason)
    {
        var name = Stack.UniqueName($"port{port}");

        var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(await stack.PublishRepoAsync(name, Repos.WebApp(name, port))));

        Assert.Equal("Failed", deployment.State);
        Assert.StartsWith($"deploy application[{name}]: {reason}", deployment.Error);
    }
}
