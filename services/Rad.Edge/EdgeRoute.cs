using Rad.Contracts;

namespace Rad.Edge;

/// <summary>One published port of one application: HAProxy's mode for it ("tcp", or "http" for canaries) and the slots behind it.</summary>
public sealed record EdgeRoute(int Port, string Application, string Mode, IReadOnlyList<EdgeSlot> Slots)
{
    /// <summary>Every task address behind the port, whatever its share of the traffic.</summary>
    public IReadOnlyList<string> Backends => Slots.SelectMany(s => s.Backends).Order(StringComparer.Ordinal).ToList();
}

/// <summary>
/// The running tasks (ip:port) of one slot, the slot's share of the port's traffic in percent, its health check, and
/// when the newest of its tasks was created.
/// </summary>
public sealed record EdgeSlot(string Slot, int Traffic, HealthCheck Health, IReadOnlyList<string> Backends, DateTime NewestTask = default)
{
    /// <summary>
    /// HAProxy's weight for each of the slot's servers (0-256): the slot's share spread over its tasks, so two slots
    /// split the traffic by their shares whatever their replica counts. 0 keeps a server checked but sends it nothing.
    /// </summary>
    public int Weight => Traffic <= 0 || Backends.Count == 0 ? 0 : Math.Clamp((int)Math.Round(256.0 * Traffic / 100 / Backends.Count), 1, 256);
}
