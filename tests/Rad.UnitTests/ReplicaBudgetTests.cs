using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.Clusters;
using Rad.Contracts;
using Xunit;

namespace Rad.UnitTests;

/// <summary>The budget's arithmetic, over a cluster that reports fixed serving replicas (what the Swarm or Kubernetes would list).</summary>
public sealed class ReplicaBudgetTests
{
    static ReplicaBudget Budget(int replicas, Dictionary<string, int>? perCluster = null) =>
        new(Options.Create(new DeployerOptions { ReplicaBudget = replicas, ReplicaBudgets = perCluster ?? [] }), NullLogger<ReplicaBudget>.Instance);

    [Fact]
    public async Task What_serves_plus_what_rolls_out_plus_the_ask_must_fit()
    {
        var budget = Budget(10);
        var cluster = new ListedCluster(new() { ["web"] = 4, ["api"] = 2 });

        using (await budget.ClaimAsync("local", cluster, "web", 8, CancellationToken.None))        // 2 + 8 = 10: fits
        {
            // web's claim of 8 counts for it while it rolls out (more than the 4 it serves): 8 + 2 + 1 > 10.
            var refused = await Assert.ThrowsAsync<DeploymentFailedException>(() => budget.ClaimAsync("local", cluster, "blog", 1, CancellationToken.None));
            Assert.Equal("replica budget of cluster 'local' exceeded: it allows 10 replica(s) in all (Rad__Deployer__ReplicaBudget); 10 run for other applications "
                         + "(web 8 rolling out, api 2) and blog asks for 1, 11 in all; lower replica_count in rad.json, remove an application, or an operator raises the budget",
                refused.Message);
            // Another cluster has a room of its own.
            using var elsewhere = await budget.ClaimAsync("prod", new ListedCluster([]), "blog", 10, CancellationToken.None);
        }
        // web's rollout ended: it counts as what it serves again (4), so 4 + 2 + 4 fits.
        using var blog = await budget.ClaimAsync("local", cluster, "blog", 4, CancellationToken.None);
    }

    [Fact]
    public async Task Scaling_down_or_keeping_the_count_is_never_refused_even_over_a_lowered_budget()
    {
        var budget = Budget(5, new() { ["local"] = 3 });
        var cluster = new ListedCluster(new() { ["web"] = 4, ["api"] = 2 });

        using (await budget.ClaimAsync("local", cluster, "web", 4, CancellationToken.None))
        {
        }
        using (await budget.ClaimAsync("local", cluster, "web", 1, CancellationToken.None))
        {
        }
        var refused = await Assert.ThrowsAsync<DeploymentFailedException>(() => budget.ClaimAsync("local", cluster, "web", 5, CancellationToken.None));
        Assert.Contains("it allows 3 replica(s) in all (Rad__Deployer__ReplicaBudgets__local); 2 run for other applications (api 2) and web asks for 5 (it runs 4 now), 7 in all", refused.Message);
    }

    [Fact]
    public async Task The_check_ahead_counts_all_of_a_deployments_applications_at_once_and_claims_nothing()
    {
        var budget = Budget(10, new() { ["prod"] = 5 });
        var cluster = new ListedCluster(new() { ["web"] = 4, ["api"] = 2, ["blog"] = 1 });

        // web 4 -> 5 and api 2 -> 3, with blog's 1: 9 fits.
        Assert.Null(await budget.CheckAsync("local", cluster, [new ReplicaAsk("web", 5), new ReplicaAsk("api", 3)], CancellationToken.None));
        // Each alone fits (5 + 2 + 1 and 4 + 5 + 1), together 11 do not; web, the first that grows, is the one named.
        var refused = await budget.CheckAsync("local", cluster, [new ReplicaAsk("web", 5), new ReplicaAsk("api", 5)], CancellationToken.None);
        Assert.Equal(("web", "replica budget of cluster 'local' exceeded: it allows 10 replica(s) in all (Rad__Deployer__ReplicaBudget); 1 run for other applications "
                            + "(blog 1) and its applications ask for 10 (web 5 (it runs 4 now), api 5 (it runs 2 now)), 11 in all; lower replica_count in rad.json, "
                            + "remove an application, or an operator raises the budget"), refused);
        // Nothing was claimed by the checks: the whole room is still there for a rollout, which then counts for the next check.
        using var web = await budget.ClaimAsync("local", cluster, "web", 7, CancellationToken.None);
        Assert.Equal("blog", (await budget.CheckAsync("local", cluster, [new ReplicaAsk("blog", 2)], CancellationToken.None))?.Application);
        // Over a budget lowered below what runs (6 > 5), a deployment that grows nothing is not refused.
        Assert.Null(await budget.CheckAsync("prod", cluster, [new ReplicaAsk("web", 4), new ReplicaAsk("api", 1)], CancellationToken.None));
    }

    /// <summary>Only <see cref="ICluster.DesiredReplicasAsync"/> is asked by the budget.</summary>
    sealed class ListedCluster(Dictionary<string, int> serving) : ICluster
    {
        public Task<IReadOnlyDictionary<string, int>> DesiredReplicasAsync(CancellationToken token) => Task.FromResult<IReadOnlyDictionary<string, int>>(serving);

        public Task<ClusterPlace> EnsureAsync(Func<string, TimeSpan, Task> progress, CancellationToken token) => throw new NotSupportedException();

        public Task<DeployResult> DeployAsync(DeployApplication command, IRolloutProgress progress, CancellationToken token) => throw new NotSupportedException();

        public Task RemoveAsync(RemoveApplication command, CancellationToken token) => throw new NotSupportedException();

        public Task<IReadOnlyList<RunningApplication>> DescribeAsync(CancellationToken token) => throw new NotSupportedException();
    }
}
