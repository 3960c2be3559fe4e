namespace Rad.Clusters.Swarm;

/// <summary>
/// Which ports an application may publish on this machine (the edge binds them on its address): none of RAD's own or the
/// machine's services. Ports below 1024 belong to the machine's services (22 for ssh) unless an operator allows one.
/// </summary>
public static class PortPolicy
{
    static readonly Dictionary<int, string> Reserved = new()
    {
        [5000] = "RAD's image registry",
        [5432] = "PostgreSQL",
        [5672] = "RabbitMQ",
        [9418] = "RAD's git server",
        [15672] = "RabbitMQ's management",
        [7080] = "RAD's status service",
        [7081] = "RAD's webhooks service",
        [7082] = "RAD's cloner",
        [7083] = "RAD's builder",
        [7084] = "RAD's cluster provisioner",
        [7085] = "RAD's deployer",
        [7086] = "RAD's edge",
    };

    /// <summary>Why the port may not be published here, or null when it may.</summary>
    public static string? Problem(int port, IReadOnlyCollection<int> allowed)
    {
        if (allowed.Contains(port))
            return null;
        if (Reserved.TryGetValue(port, out var owner))
            return $"port {port} is {owner}'s on this machine; give the application another port in rad.json";
        if (port < 1024)
            return $"port {port} is below 1024, where the machine's own services listen (22 is ssh); give the application a port from 1024 up in rad.json, or an operator allows it with Rad__Deployer__AllowedPorts__0={port}";
        return null;
    }
}
