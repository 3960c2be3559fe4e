using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.Clusters;
using Rad.Clusters.Swarm;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>The local Swarm provisioning against a real engine that starts without a Swarm (an isolated one, not the stack's).</summary>
public sealed class ClusterProvisionerTests(IsolatedEngine engine) : IClassFixture<IsolatedEngine>
{
    LocalSwarm Swarm(string network) =>
        new(engine.Client(), new StaleNetworkRepair(engine.Client(), NullLogger<StaleNetworkRepair>.Instance),
            Options.Create(new LocalSwarmOptions { Network = network }), NullLogger<LocalSwarm>.Instance);

    [Fact]
    public async Task Engine_without_a_swarm_gets_one_and_the_network_once()
    {
        var swarm = Swarm("rad");

        Assert.True(await swarm.EnsureAsync(CancellationToken.None));
        Assert.False(await swarm.EnsureAsync(CancellationToken.None));

        using var client = engine.Client();
        var info = await client.System.GetSystemInfoAsync(CancellationToken.None);
        Assert.Equal("active", info.Swarm.LocalNodeState);
        var network = await client.Networks.InspectNetworkAsync("rad", CancellationToken.None);
        Assert.Equal("bridge", network.Driver);
        Assert.Equal("swarm", network.Scope);
        Assert.True(network.Attachable);
    }

    [Fact]
    public async Task Network_of_the_wrong_kind_is_reported_and_left_alone()
    {
        using var client = engine.Client();
        await client.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "taken", Driver = "bridge" }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ClusterProvisioningException>(() => Swarm("taken").EnsureAsync(CancellationToken.None));

        Assert.Equal("network 'taken' exists with driver 'bridge' and scope 'local'; RAD needs a swarm-scoped bridge network: remove it or set Rad__Local__Network",
            error.Message);
        Assert.Equal("local", (await client.Networks.InspectNetworkAsync("taken", CancellationToken.None)).Scope);
    }
}
