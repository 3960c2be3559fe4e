using System.Text.Json;
using Rad.Contracts;
using Rad.Status.Api;
using Xunit;

namespace Rad.UnitTests;

public sealed class FinishedDeploymentViewsTests
{
    static DeploymentView View(string state) =>
        new(Guid.NewGuid(), "git://127.0.0.1/x.git", "main", null, "local", state, "queue", null, null, [], [], DateTimeOffset.UnixEpoch, null);

    [Theory]
    [InlineData(DeploymentStates.Succeeded, true)]
    [InlineData(DeploymentStates.Failed, true)]
    [InlineData(DeploymentStates.Superseded, true)]
    [InlineData(DeploymentStates.InProgress, false)]
    [InlineData(DeploymentStates.Queued, false)]
    [InlineData(DeploymentStates.Pending, false)]
    public void Only_ended_deployments_are_kept(string state, bool kept)
    {
        var views = new FinishedDeploymentViews();
        var view = View(state);
        var json = views.Serialize(view);

        Assert.Equal(kept, views.TryGet(view.Id, out var stored));
        if (kept)
            Assert.Same(json, stored);
        Assert.Equal(view.Id, JsonSerializer.Deserialize<DeploymentView>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Id);
    }

    [Fact]
    public void Past_the_capacity_the_oldest_leave_first()
    {
        var views = new FinishedDeploymentViews();
        var all = Enumerable.Range(0, FinishedDeploymentViews.Capacity + 10).Select(_ => View(DeploymentStates.Succeeded)).ToList();
        foreach (var view in all)
            views.Serialize(view);

        Assert.Equal(FinishedDeploymentViews.Capacity, views.Count);
        Assert.All(all.Take(10), v => Assert.False(views.TryGet(v.Id, out _)));
        Assert.All(all.Skip(10), v => Assert.True(views.TryGet(v.Id, out _)));
    }

    [Fact]
    public void Serialized_views_join_into_a_JSON_array_in_their_order()
    {
        var views = new FinishedDeploymentViews();
        var listed = new[] { View(DeploymentStates.Failed), View(DeploymentStates.InProgress), View(DeploymentStates.Succeeded) };
        var array = FinishedDeploymentViews.Array(listed.Select(views.Serialize).ToList());

        var read = JsonSerializer.Deserialize<List<DeploymentView>>(array, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(listed.Select(v => (v.Id, v.State)), read.Select(v => (v.Id, v.State)));
        Assert.Equal("[]", System.Text.Encoding.UTF8.GetString(FinishedDeploymentViews.Array([])));
    }
}
