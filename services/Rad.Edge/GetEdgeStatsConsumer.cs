using MassTransit;
using Rad.Contracts;

namespace Rad.Edge;

/// <summary>Answers the deployer, after a fresh reconcile, with what HAProxy sees for the application's port, server by server.</summary>
public sealed class GetEdgeStatsConsumer(EdgeReconciler reconciler, HaproxyControl haproxy) : IConsumer<GetEdgeStats>
{
    public async Task Consume(ConsumeContext<GetEdgeStats> context)
    {
        var message = context.Message;
        var routes = await reconciler.ReconcileAsync(context.CancellationToken);
        var route = routes.FirstOrDefault(r => r.Port == message.Port && r.Application == message.ApplicationName);
        if (route is null)
        {
            await context.RespondAsync(new EdgeStats(message.DeploymentId, message.Port, "tcp", null, []));
            return;
        }
        var stats = await haproxy.StatsAsync(context.CancellationToken);
        var servers = new List<EdgeServerStats>();
        foreach (var slot in route.Slots)
        {
            foreach (var address in slot.Backends)
            {
                var name = HaproxyConfig.ServerName(slot.Slot, address);
                var serving = stats.Row(HaproxyConfig.Backend(route), name);
                var checking = stats.Row(HaproxyConfig.CheckBackend(route, slot.Slot), name);
                servers.Add(new EdgeServerStats(
                    address, slot.Slot,
                    Weight: (int)HaproxyStats.Number(serving, "weight"),
                    Status: serving is null ? "absent" : HaproxyStats.Text(serving, "status"),
                    Check: $"{HaproxyStats.LastCheck(checking)} {HaproxyStats.Text(checking, "check_code")}".Trim(),
                    Sessions: (int)HaproxyStats.Number(serving, "scur"),
                    // In mode tcp HAProxy counts connections, not requests.
                    Requests: HaproxyStats.Number(serving, route.Mode == "http" ? "req_tot" : "stot"),
                    ServerErrors: HaproxyStats.Number(serving, "hrsp_5xx"),
                    ConnectionErrors: HaproxyStats.Number(serving, "econ"),
                    ResponseErrors: HaproxyStats.Number(serving, "eresp")));
            }
        }
        await context.RespondAsync(new EdgeStats(message.DeploymentId, message.Port, route.Mode, stats.Worker, servers));
    }
}
