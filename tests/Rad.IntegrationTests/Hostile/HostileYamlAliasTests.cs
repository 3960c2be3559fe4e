using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 12: a 499-byte kubeconfig of nested aliases exhausted Rad.Status' memory (the YAML-to-JSON conversion
/// expanded them). Aliases are refused, naming the first one and its line, within a second, and the service stays small.
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class HostileYamlAliasTests(Stack stack)
{
    // Nine levels of nine aliases: 387 bytes that expand to 9^9 (387 million) strings.
    static readonly string Bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        + string.Concat(Enumerable.Range(1, 8).Select(i =>
            $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(",", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 9))}]\n"));

    [Fact]
    public async Task A_kubeconfig_alias_bomb_is_refused_within_a_second_and_the_status_service_stays_small()
    {
        var watch = Stopwatch.StartNew();
        using var response = await stack.Http.PostAsJsonAsync(new Uri(stack.Api, "/api/clusters"), new { name = Stack.UniqueName("bomb"), kubeconfig = Bomb });
        watch.Stop();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("it uses the alias *a; RAD does not expand YAML aliases", await response.Content.ReadAsStringAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"the refusal took {watch.Elapsed.TotalMilliseconds:0} ms");
        var megabytes = stack.ServiceRssMegabytes("status");
        Assert.True(megabytes < 500, $"the status service holds {megabytes} MB");
    }
}
