using System.Globalization;
using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>
/// Kubernetes resource quantities ("250m", "0.5", "128Mi", "1G") as numbers: CPUs in nano-CPUs (what the Docker engine
/// takes) and memory in bytes, each within a signed 64-bit count.
/// </summary>
public static partial class ResourceQuantity
{
    /// <summary>The engine refuses a smaller memory limit (6 MiB, moby's linuxMinMemory).</summary>
    public const long MinMemoryLimitBytes = 6 * 1024 * 1024;

    /// <summary>The engine's smallest CPU limit is a hundredth of a CPU.</summary>
    public const long MinCpuLimitNanos = 10_000_000;

    static readonly Dictionary<string, decimal> Suffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m, ["m"] = 0.001m,
        ["k"] = 1e3m, ["M"] = 1e6m, ["G"] = 1e9m, ["T"] = 1e12m, ["P"] = 1e15m, ["E"] = 1e18m,
        ["Ki"] = 1024m, ["Mi"] = 1024m * 1024, ["Gi"] = 1024m * 1024 * 1024, ["Ti"] = 1024m * 1024 * 1024 * 1024,
        ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024, ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    /// <summary>Longer text is no quantity RAD takes; the bound also keeps the pattern's matching short on hostile input.</summary>
    const int MaxLength = 40;

    public static bool IsQuantity(string text) => text.Length <= MaxLength && Pattern().IsMatch(text);

    /// <summary>The quantity in its base unit (CPUs, bytes), or null when it is not a quantity or too large to count.</summary>
    public static decimal? Value(string text)
    {
        if (text.Length > MaxLength)
            return null;
        var match = Pattern().Match(text);
        if (!match.Success || match.Groups["number"].Value.Length > 28)
            return null;
        try
        {
            return decimal.Parse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * Suffixes[match.Groups["suffix"].Value];
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>CPUs as nano-CPUs, rounded up as Kubernetes rounds up to its precision; null when not a quantity or beyond 64 bits.</summary>
    public static long? NanoCpus(string text) => Count(Value(text), 1e9m);

    /// <summary>Memory in bytes, rounded up; null when not a quantity or beyond 64 bits.</summary>
    public static long? Bytes(string text) => Count(Value(text), 1m);

    static long? Count(decimal? value, decimal scale)
    {
        if (value is not { } v)
            return null;
        try
        {
            var scaled = decimal.Ceiling(v * scale);
            return scaled > long.MaxValue ? null : (long)scaled;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>"256 MiB", "0.5 CPU": how an error or a log line shows an amount.</summary>
    public static string DescribeBytes(long bytes) =>
        bytes % (1024L * 1024 * 1024) == 0 ? $"{bytes / (1024L * 1024 * 1024)} GiB"
        : bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB"
        : $"{bytes} bytes";

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?|\.\d+)(?<suffix>m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")]
    private static partial Regex Pattern();
}
