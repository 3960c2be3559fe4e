using Rad.IntegrationTests.Isolated;
using Xunit;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// The test's own RAD with a builder of two slots, a build timeout of 15 s and a small build context limit, shared by the
/// builder's hostile tests (issue 12, items 15 and 16). RAD_HOSTILE_CONTEXT_MB sets the size of the large context
/// that must stream through the builder (default 90 MiB); the limit stays above it.
/// </summary>
public sealed class LimitedBuilderRad : IsolatedRad
{
    /// <summary>15 s, or RAD_HOSTILE_BUILD_TIMEOUT_S (a measurement with a context of hundreds of MiB needs longer to send it).</summary>
    public static TimeSpan BuildTimeout { get; } =
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("RAD_HOSTILE_BUILD_TIMEOUT_S"), out var s) && s > 0 ? s : 15);

    public static int LargeContextMiB { get; } = int.TryParse(Environment.GetEnvironmentVariable("RAD_HOSTILE_CONTEXT_MB"), out var mb) && mb > 0 ? mb : 90;

    public static long MaxContextBytes { get; } = Math.Max(100, LargeContextMiB + 16) * 1024L * 1024;

    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Rad__Builder__ConcurrentBuilds"] = "2";
        environment["Rad__Builder__BuildTimeout"] = BuildTimeout.ToString("c");
        environment["Rad__Builder__MaxContextBytes"] = MaxContextBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

[CollectionDefinition(Name)]
public sealed class LimitedBuilderCollection : ICollectionFixture<LimitedBuilderRad>
{
    public const string Name = "limited builder";
}
