namespace Rad.Contracts;

/// <summary>
/// What HAProxy sees for one published port: its mode ("tcp" or "http") and each server (task) behind it. The counters
/// run since <paramref name="Generation"/> (the HAProxy worker) started: a reload starts them again from zero.
/// </summary>
public record EdgeStats(Guid DeploymentId, int Port, string Mode, string? Generation, IReadOnlyList<EdgeServerStats> Servers) : IDeploymentMessage;

/// <summary>
/// One server as HAProxy sees it: <paramref name="Address"/> ip:port, the <paramref name="Slot"/> it belongs to, its
/// <paramref name="Weight"/> (0: checked but sent no traffic), <paramref name="Status"/> ("UP", "DOWN", "UP 1/2" while
/// going down, ...), the last health check (<paramref name="Check"/>, e.g. "L7OK 200" or "L7STS 503"), open connections,
/// requests (HTTP requests in mode http, connections in mode tcp), 5xx responses, failed connections and broken responses.
/// </summary>
public record EdgeServerStats(string Address, string Slot, int Weight, string Status, string Check, int Sessions, long Requests,
    long ServerErrors, long ConnectionErrors, long ResponseErrors);
