using Microsoft.Extensions.Configuration;
using Rad.Status.Api;
using Rad.Status.Queue;
using Xunit;

namespace Rad.UnitTests;

public sealed class ApiAccessTests
{
    static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Theory]
    [InlineData("http://127.0.0.1:7080")]
    [InlineData("http://localhost:7080")]
    [InlineData("http://[::1]:7080")]
    [InlineData("http://127.0.0.1:7080;http://[::1]:7080")]
    public void Loopback_addresses_need_no_token(string urls)
    {
        Assert.Null(ApiAccess.CheckListenAddresses(Config(("urls", urls))));
    }

    [Theory]
    [InlineData("http://0.0.0.0:7080")]
    [InlineData("http://*:7080")]
    [InlineData("http://+:7080")]
    [InlineData("http://[::]:7080")]
    [InlineData("http://192.168.1.10:7080")]
    [InlineData("http://127.0.0.1:7080;http://0.0.0.0:7081")]
    public void Other_addresses_without_a_token_are_refused_naming_them(string urls)
    {
        var refusal = ApiAccess.CheckListenAddresses(Config(("urls", urls)));

        Assert.NotNull(refusal);
        Assert.Contains("RAD_API_TOKEN", refusal);
        Assert.Contains(urls.Split(';')[^1], refusal);
    }

    [Fact]
    public void Kestrel_endpoints_and_http_ports_count_too()
    {
        Assert.NotNull(ApiAccess.CheckListenAddresses(Config(("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:80"))));
        Assert.NotNull(ApiAccess.CheckListenAddresses(Config(("http_ports", "8080"))));
    }

    [Fact]
    public void Any_address_is_allowed_with_a_token()
    {
        Assert.Null(ApiAccess.CheckListenAddresses(Config(("urls", "http://0.0.0.0:7080"), ("RAD_API_TOKEN", "t"))));
    }

    [Theory]
    [InlineData("https://token@github.com/Org/App.git", "https://github.com/Org/App")]
    [InlineData("https://GitHub.com/Org/App/", "https://github.com/Org/App")]
    [InlineData("git://127.0.0.1:9418/app.git", "git://127.0.0.1:9418/app")]
    [InlineData("git@github.com:org/app.git", "git@github.com:org/app")]
    public void Queue_key_ignores_credentials_host_case_and_git_suffix(string repository, string normalized)
    {
        var (id, key) = DeploymentQueueKey.For(repository, "local");

        Assert.Equal($"{normalized} -> local", key);
        Assert.Equal(id, DeploymentQueueKey.For(normalized, "local").Id);
        Assert.NotEqual(id, DeploymentQueueKey.For(repository, "other").Id);
    }
}
