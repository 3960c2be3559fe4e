using System.Text.RegularExpressions;
using Rad.Status.Saga;

namespace Rad.Status.Monitoring;

/// <summary>
/// A stage's kind, the label of its duration: its name without the application or cluster it names
/// ("build docker image[web]" is build, "shift traffic[web] 10%" is shift_traffic), so the label stays a short fixed set.
/// </summary>
public static partial class StageKind
{
    public const string Queue = "queue";
    public const string Clone = "clone";
    public const string Cluster = "cluster";
    public const string Build = "build";
    public const string Deploy = "deploy";
    public const string Restore = "restore";
    public const string Remove = "remove";
    public const string Validate = "validate";
    public const string Switch = "switch";
    public const string ShiftTraffic = "shift_traffic";
    public const string StopPrevious = "stop_previous";
    public const string Drain = "drain";

    /// <summary>Any stage this list does not know: counted, never given a label of its own.</summary>
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } =
        [Queue, Clone, Cluster, Build, Deploy, Restore, Remove, Validate, Switch, ShiftTraffic, StopPrevious, Drain, Other];

    // The part of each name before the bracket, as StageNames writes them.
    static readonly Dictionary<string, string> ByPrefix = new(StringComparer.Ordinal)
    {
        [StageNames.Cluster("")[..^2]] = Cluster,
        [StageNames.Build("")[..^2]] = Build,
        [StageNames.Deploy("")[..^2]] = Deploy,
        [StageNames.Restore("")[..^2]] = Restore,
        [StageNames.Remove("")[..^2]] = Remove,
        ["validate"] = Validate,
        ["switch"] = Switch,
        ["shift traffic"] = ShiftTraffic,
        ["stop previous"] = StopPrevious,
        ["drain"] = Drain,
    };

    public static string Of(string stage) => stage switch
    {
        StageNames.Queue => Queue,
        StageNames.Clone => Clone,
        _ when Bracketed().Match(stage) is { Success: true } match => ByPrefix.GetValueOrDefault(match.Groups[1].Value, Other),
        _ => Other,
    };

    [GeneratedRegex(@"^([a-z ]+)\[[^\]]*\]( [0-9]{1,3}%)?$")]
    private static partial Regex Bracketed();
}
