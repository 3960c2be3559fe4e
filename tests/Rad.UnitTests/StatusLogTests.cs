using Rad.Contracts;
using Rad.Status.Api;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests;

public class StatusLogTests
{
    static readonly DateTimeOffset Start = new(2020, 5, 30, 0, 6, 43, TimeSpan.Zero);

    [Fact]
    public void Log_reads_like_the_original_rad_format()
    {
        var events = new[]
        {
            new StageEvent(Start, "clone user git repository", StageStates.InProgress, null),
            new StageEvent(Start.AddSeconds(3), "clone user git repository", StageStates.Completed, "commit abc"),
            new StageEvent(Start.AddSeconds(3), "build docker image[sample-app-1]", StageStates.InProgress, null),
            new StageEvent(Start.AddSeconds(39), "build docker image[sample-app-1]", StageStates.Failed, "step 2/2 failed"),
        };

        var log = StatusLog.Format(events, Start, Start.AddSeconds(39));

        Assert.Equal("""
            [Sat May 30 00:06:43 2020]: [IN PROGRESS]: clone user git repository
            [Sat May 30 00:06:46 2020]: [COMPLETED]: clone user git repository
            [Sat May 30 00:06:46 2020]: [IN PROGRESS]: build docker image[sample-app-1]
            [Sat May 30 00:07:22 2020]: [FAILED]: build docker image[sample-app-1] : step 2/2 failed
            start time: Sat May 30 00:06:43 2020
            time taken: 39.000000 seconds

            """.ReplaceLineEndings("\n"), log);
    }

    [Fact]
    public void Unfinished_deployment_has_no_totals()
    {
        var log = StatusLog.Format([new StageEvent(Start, "clone user git repository", StageStates.InProgress, null)], Start, null);

        Assert.DoesNotContain("time taken", log);
    }

    [Fact]
    public void Single_digit_days_are_space_padded_like_asctime()
    {
        Assert.Equal("Sun May  3 09:05:01 2020", StatusLog.AscTime(new DateTimeOffset(2020, 5, 3, 9, 5, 1, TimeSpan.Zero)));
    }
}
