using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

public class ContainerAddressesTests
{
    [Fact]
    public void A_remembered_address_is_kept_until_its_container_no_longer_runs()
    {
        var addresses = new ContainerAddresses();
        Assert.False(addresses.TryGet("c1", out _));

        addresses.Remember("c1", "172.20.0.5");
        addresses.Remember("c2", "172.20.0.6");
        Assert.True(addresses.TryGet("c1", out var address));
        Assert.Equal("172.20.0.5", address);

        addresses.KeepOnly(["c2", "c3"]);
        Assert.False(addresses.TryGet("c1", out _));
        Assert.True(addresses.TryGet("c2", out _));
        Assert.Equal(1, addresses.Count);
    }
}
