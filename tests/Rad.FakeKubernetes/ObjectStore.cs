using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Rad.FakeKubernetes;

/// <summary>One change, numbered by the resourceVersion it produced.</summary>
public sealed record Change(long ResourceVersion, string Type, ResourceType Resource, JsonObject Object);

/// <summary>
/// The fake's etcd: objects by kind, namespace and name, one resourceVersion counter for everything (as etcd's
/// revision), and the recent change history that watches start from. History older than the compaction point is
/// gone, and a watch from there gets 410 Gone, as after etcd compacts.
/// </summary>
public sealed class ObjectStore
{
    readonly Lock _lock = new();
    readonly Dictionary<(ResourceType, string, string), JsonObject> _objects = [];
    readonly List<Change> _history = [];
    readonly List<Channel<Change>> _watchers = [];
    long _revision = 100;
    long _compacted = 100;

    public long Revision { get { lock (_lock) return _revision; } }

    public long CompactedRevision { get { lock (_lock) return _compacted; } }

    /// <summary>Forgets the history up to now: watches from an older resourceVersion get 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compacted = _revision;
            _history.Clear();
        }
    }

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (_lock)
            return _objects.TryGetValue((type, ns ?? "", name), out var obj) ? (JsonObject)obj.DeepClone() : null;
    }

    public List<JsonObject> List(ResourceType type, string? ns)
    {
        lock (_lock)
            return _objects.Where(o => o.Key.Item1 == type && (ns is null || o.Key.Item2 == ns)).Select(o => (JsonObject)o.Value.DeepClone()).ToList();
    }

    /// <summary>Stores the object under a new resourceVersion and tells the watchers; returns the stored copy.</summary>
    public JsonObject Put(ResourceType type, JsonObject obj, string changeType)
    {
        lock (_lock)
        {
            var metadata = (JsonObject)obj["metadata"]!;
            metadata["resourceVersion"] = (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var key = (type, metadata["namespace"]?.GetValue<string>() ?? "", metadata["name"]!.GetValue<string>());
            // The API server gives every object a uid and a creation time, and keeps both across updates.
            var previous = _objects.GetValueOrDefault(key)?["metadata"];
            metadata["uid"] ??= previous?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
            metadata["creationTimestamp"] ??= previous?["creationTimestamp"]?.DeepClone()
                ?? DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            _objects[key] = (JsonObject)obj.DeepClone();
            Record(new Change(_revision, changeType, type, (JsonObject)obj.DeepClone()));
            return (JsonObject)obj.DeepClone();
        }
    }

    public JsonObject? Remove(ResourceType type, string? ns, string name)
    {
        lock (_lock)
        {
            if (!_objects.Remove((type, ns ?? "", name), out var obj))
                return null;
            obj["metadata"]!["resourceVersion"] = (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Record(new Change(_revision, "DELETED", type, (JsonObject)obj.DeepClone()));
            return obj;
        }
    }

    void Record(Change change)
    {
        _history.Add(change);
        if (_history.Count > 1000)
        {
            _compacted = _history[0].ResourceVersion;
            _history.RemoveAt(0);
        }
        foreach (var watcher in _watchers)
            watcher.Writer.TryWrite(change);
    }

    /// <summary>
    /// A watch from <paramref name="from"/>: the changes after it still in history, then everything new, in order.
    /// Null when <paramref name="from"/> is older than the history (410 Gone).
    /// </summary>
    public (IReadOnlyList<Change> Backlog, Channel<Change> Live)? Watch(long from)
    {
        lock (_lock)
        {
            if (from < _compacted)
                return null;
            var live = Channel.CreateUnbounded<Change>();
            _watchers.Add(live);
            return (_history.Where(c => c.ResourceVersion > from).ToList(), live);
        }
    }

    public void StopWatching(Channel<Change> live)
    {
        lock (_lock)
            _watchers.Remove(live);
    }
}
