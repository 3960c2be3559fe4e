using System.Text.RegularExpressions;

namespace Rad.Status.Saga;

/// <summary>Stage names as the original RAD printed them, which users grep for.</summary>
public static partial class StageNames
{
    public const string Queue = "wait for running deployment";
    public const string Clone = "clone user git repository";
    public static string Cluster(string cluster) => $"provision cluster[{cluster}]";
    public static string Build(string application) => $"build docker image[{application}]";
    public static string Deploy(string application) => $"deploy application[{application}]";
    public static string Restore(string application) => $"restore application[{application}]";
    public static string Remove(string application) => $"remove application[{application}]";

    /// <summary>A rollout step: "validate" gives validate[web], "shift traffic 10%" gives shift traffic[web] 10%.</summary>
    public static string Step(string step, string application)
    {
        var share = TrailingShare().Match(step);
        return share.Success ? $"{step[..share.Index]}[{application}] {share.Groups[1].Value}" : $"{step}[{application}]";
    }

    /// <summary>Whether <paramref name="stage"/> is one of <paramref name="application"/>'s rollout steps (not its build, deploy, restore or remove).</summary>
    public static bool IsStepOf(string stage, string application) =>
        stage.Contains($"[{application}]", StringComparison.Ordinal)
        && stage != Build(application) && stage != Deploy(application) && stage != Restore(application) && stage != Remove(application);

    [GeneratedRegex(@" ([0-9]{1,3}%)$")]
    private static partial Regex TrailingShare();
}
