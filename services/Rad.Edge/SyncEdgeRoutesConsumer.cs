using MassTransit;
using Rad.Contracts;

namespace Rad.Edge;

/// <summary>Answers the deployer with the port's backends that HAProxy has checked and sees UP, after a fresh reconcile.</summary>
public sealed class SyncEdgeRoutesConsumer(EdgeReconciler reconciler, HaproxyControl haproxy) : IConsumer<SyncEdgeRoutes>
{
    public async Task Consume(ConsumeContext<SyncEdgeRoutes> context)
    {
        var routes = await reconciler.ReconcileAsync(context.CancellationToken);
        var route = routes.FirstOrDefault(r => r.Port == context.Message.Port);
        var up = await haproxy.UpServersAsync(context.CancellationToken);
        var backends = route is not null && up.TryGetValue($"app_{route.Application}", out var servers)
            ? servers.Where(route.Backends.Contains).ToList()
            : [];
        await context.RespondAsync(new EdgeRoutesSynced(context.Message.DeploymentId, context.Message.Port, backends));
    }
}
