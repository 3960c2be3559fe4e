namespace Rad.Docker;

/// <summary>
/// Containers' addresses on one network, remembered while they run: a container keeps its address for its whole life,
/// so it is asked of the engine once. Not thread-safe; one owner looks at a time.
/// </summary>
public sealed class ContainerAddresses
{
    readonly Dictionary<string, string> _known = new(StringComparer.Ordinal);

    public bool TryGet(string containerId, out string address) => _known.TryGetValue(containerId, out address!);

    public void Remember(string containerId, string address) => _known[containerId] = address;

    /// <summary>Forgets containers that no longer run.</summary>
    public void KeepOnly(IEnumerable<string> running)
    {
        var keep = running.ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _known.Keys.Where(id => !keep.Contains(id)).ToList())
            _known.Remove(gone);
    }

    public int Count => _known.Count;
}
