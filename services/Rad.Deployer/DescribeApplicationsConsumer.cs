using MassTransit;
using Rad.Clusters;
using Rad.Contracts;

namespace Rad.Deployer;

/// <summary>Answers what runs on a cluster now (replicas desired, running, healthy); a cluster that cannot be asked is answered with why.</summary>
public sealed class DescribeApplicationsConsumer(ClusterCatalog clusters) : IConsumer<DescribeApplications>
{
    public async Task Consume(ConsumeContext<DescribeApplications> context)
    {
        var name = context.Message.Cluster;
        if (await clusters.FindAsync(name, context.CancellationToken) is not { } cluster)
        {
            await context.RespondAsync(new ApplicationsDescribed(name, [], $"cluster '{name}' is not known"));
            return;
        }
        try
        {
            await context.RespondAsync(new ApplicationsDescribed(name, await cluster.DescribeAsync(context.CancellationToken)));
        }
        catch (Exception e) when (ClusterFailures.CouldNotAsk(e))
        {
            await context.RespondAsync(new ApplicationsDescribed(name, [], e.Message));
        }
    }
}
