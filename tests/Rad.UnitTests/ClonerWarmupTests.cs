using Microsoft.Extensions.Logging;
using Rad.Cloner;
using Xunit;

namespace Rad.UnitTests;

public sealed class ClonerWarmupTests
{
    [Fact]
    public async Task The_warm_up_clones_its_scratch_repository_reads_its_rad_json_and_leaves_nothing_behind()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "rad-cloner-warmup-*").ToHashSet();
        var logger = new ListLogger<ClonerWarmup>();

        await new ClonerWarmup(logger).StartAsync(CancellationToken.None);

        var said = Assert.Single(logger.Lines);
        Assert.StartsWith("Cloner warmed up with a clone of a scratch repository in ", said);
        Assert.DoesNotContain("rad.json read as", said);
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "rad-cloner-warmup-*"), d => !before.Contains(d));
    }

    sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
