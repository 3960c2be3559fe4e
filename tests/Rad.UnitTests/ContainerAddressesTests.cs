using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

public class ContainerAddressesTests
{
    [Fact]
    public async Task A_running_container_is_asked_once_and_forgotten_when_it_stops()
    {
        var addresses = new ContainerAddresses();
        var asked = 0;
        Task<string?> Ask() { asked++; return Task.FromResult<string?>("172.20.0.5"); }

        Assert.Equal("172.20.0.5", await addresses.GetAsync("c1", Ask));
        Assert.Equal("172.20.0.5", await addresses.GetAsync("c1", Ask));
        Assert.Equal(1, asked);

        addresses.KeepOnly(["c2"]);
        Assert.Equal(0, addresses.Count);
        await addresses.GetAsync("c1", Ask);
        Assert.Equal(2, asked);
    }

    [Fact]
    public async Task A_container_without_an_address_yet_is_asked_again()
    {
        var addresses = new ContainerAddresses();
        var answers = new Queue<string?>([null, "172.20.0.6"]);

        Assert.Null(await addresses.GetAsync("c1", () => Task.FromResult(answers.Dequeue())));
        Assert.Equal("172.20.0.6", await addresses.GetAsync("c1", () => Task.FromResult(answers.Dequeue())));
        Assert.Equal(1, addresses.Count);
    }
}
