using Rad.Docker;
using Xunit;

namespace Rad.UnitTests;

public class SwarmTaskContainerTests
{
    [Theory]
    [InlineData("running", "Up 2 seconds", true)]
    [InlineData("running", "Up 5 seconds (healthy)", true)]
    [InlineData("running", "Up 1 second (health: starting)", false)]
    [InlineData("running", "Up 40 seconds (unhealthy)", false)]
    [InlineData("created", "Created", false)]
    [InlineData("restarting", "Restarting (1) 1 second ago", false)]
    [InlineData("exited", "Exited (0) 1 second ago", false)]
    [InlineData("running", null, false)]
    public void A_listed_container_runs_when_running_and_not_waiting_for_or_failing_its_health_check(string state, string? status, bool runs) =>
        Assert.Equal(runs, SwarmTasks.Runs(state, status));
}
