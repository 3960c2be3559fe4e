using Rad.Clusters;
using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

public class YamlAliasTests
{
    // Nine levels of nine aliases: 387 bytes that expand to 9^9 (387 million) strings.
    static readonly string Bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        + string.Concat(Enumerable.Range(1, 8).Select(i =>
            $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(",", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 9))}]\n"));

    [Fact(Timeout = 20_000)]
    public async Task A_kubeconfig_of_nested_aliases_is_refused_without_expanding_them()
    {
        var refusal = await Task.Run(() => Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(Bomb)));

        Assert.StartsWith("the kubeconfig is not valid YAML: it uses the alias *a; RAD does not expand YAML aliases: write the value out instead (line 2,", refusal.Message);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_cluster_template_of_nested_aliases_is_refused()
    {
        var refusal = await Task.Run(() => Assert.Throws<ClusterTemplate.TemplateException>(() => ClusterTemplate.Render(Bomb, "c1", "ns", new Dictionary<string, string>())));

        Assert.StartsWith("the template is not valid YAML:", refusal.Message);
        Assert.Contains("it uses the alias *a", refusal.Message);
    }
}
