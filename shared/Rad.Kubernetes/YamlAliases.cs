using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Rad.Kubernetes;

/// <summary>
/// YAML a user sends RAD (kubeconfigs, cluster templates) may not use aliases: a few hundred bytes of nested aliases
/// expand to gigabytes when converted (a "billion laughs"). Read as a stream of events, which never expands them.
/// </summary>
public static class YamlAliases
{
    /// <summary>Throws a <see cref="SemanticErrorException"/> at the first alias, saying where it is.</summary>
    public static void Refuse(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        while (parser.MoveNext())
            if (parser.Current is AnchorAlias alias)
                throw new SemanticErrorException(alias.Start, alias.End,
                    $"it uses the alias *{alias.Value}; RAD does not expand YAML aliases: write the value out instead");
    }
}
