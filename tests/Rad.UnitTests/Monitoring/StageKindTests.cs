using Rad.Status.Monitoring;
using Rad.Status.Saga;
using Xunit;

namespace Rad.UnitTests.Monitoring;

public class StageKindTests
{
    public static TheoryData<string, string> Stages => new()
    {
        { StageNames.Queue, "queue" },
        { StageNames.Clone, "clone" },
        { StageNames.Cluster("local"), "cluster" },
        { StageNames.Cluster("shop-prod"), "cluster" },
        { StageNames.Build("web"), "build" },
        { StageNames.Build("sample-app-1"), "build" },
        { StageNames.Deploy("api-2"), "deploy" },
        { StageNames.Restore("web"), "restore" },
        { StageNames.Remove("web"), "remove" },
        { StageNames.Step("validate", "web"), "validate" },
        { StageNames.Step("switch", "web"), "switch" },
        { StageNames.Step("shift traffic 10%", "web"), "shift_traffic" },
        { StageNames.Step("shift traffic 100%", "sample-app-2"), "shift_traffic" },
        { StageNames.Step("stop previous", "web"), "stop_previous" },
        { StageNames.Step("drain", "web"), "drain" },
    };

    [Theory]
    [MemberData(nameof(Stages))]
    public void A_stage_is_labelled_by_its_kind_without_the_application_or_cluster(string stage, string kind)
    {
        Assert.Equal(kind, StageKind.Of(stage));
        Assert.Contains(kind, StageKind.All);
    }

    [Theory]
    [InlineData("")]
    [InlineData("wait")]
    [InlineData("rebuild docker image[web]")]
    [InlineData("deploy application[web] and more")]
    [InlineData("deploy application[web")]
    [InlineData("Deploy Application[web]")]
    [InlineData("some new step[web]")]
    public void A_stage_it_does_not_know_is_other_so_the_label_never_grows(string stage) =>
        Assert.Equal(StageKind.Other, StageKind.Of(stage));

    [Fact]
    public void Kinds_are_prometheus_label_values_in_snake_case() =>
        Assert.All(StageKind.All, kind => Assert.Matches("^[a-z]+(_[a-z]+)*$", kind));
}
