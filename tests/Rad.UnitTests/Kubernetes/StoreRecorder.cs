using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Rad.FakeKubernetes;

namespace Rad.UnitTests.Kubernetes;

/// <summary>Every change the fake's store makes from now on, in order, for a test to replay what the cluster went through.</summary>
public sealed class StoreRecorder : IDisposable
{
    readonly ObjectStore _store;
    readonly System.Threading.Channels.Channel<Change> _live;
    readonly ConcurrentQueue<Change> _changes = new();
    readonly Task _reader;
    readonly List<JsonObject> _podsAtStart;

    public StoreRecorder(ObjectStore store)
    {
        _store = store;
        var (backlog, live) = store.Watch(store.Revision)!.Value;
        foreach (var change in backlog)
            _changes.Enqueue(change);
        _live = live;
        // Listed after the watch began: a pod in both is simply put twice in the replay.
        _podsAtStart = store.List(ResourceType.Of("Pod"), null);
        _reader = Task.Run(async () =>
        {
            await foreach (var change in live.Reader.ReadAllAsync())
                _changes.Enqueue(change);
        });
    }

    public IReadOnlyList<Change> Changes => _changes.ToList();

    /// <summary>The changes to objects of one kind (and name, when given).</summary>
    public IReadOnlyList<Change> Of(string kind, string? name = null) =>
        Changes.Where(c => c.Resource.Kind == kind && (name is null || c.Object["metadata"]?["name"]?.GetValue<string>() == name)).ToList();

    /// <summary>
    /// Replays the pod changes and, after each, counts the pods the labels select that are ready: what could take
    /// traffic at every moment of the recording.
    /// </summary>
    public IReadOnlyList<int> ReadyPods(IReadOnlyDictionary<string, string> selector) =>
        PodStates().Select(pods => pods.Count(p => selector.All(s => p["metadata"]?["labels"]?[s.Key]?.GetValue<string>() == s.Value) && DeploymentController.Ready(p)))
            .ToList();

    /// <summary>The pods there were after each pod change (the first state: those at the start).</summary>
    public IEnumerable<IReadOnlyCollection<JsonObject>> PodStates()
    {
        var pods = _podsAtStart.ToDictionary(p => p["metadata"]!["name"]!.GetValue<string>());
        yield return pods.Values.ToList();
        foreach (var change in Of("Pod"))
        {
            var name = change.Object["metadata"]!["name"]!.GetValue<string>();
            if (change.Type == "DELETED")
                pods.Remove(name);
            else
                pods[name] = change.Object;
            yield return pods.Values.ToList();
        }
    }

    /// <summary>The ready endpoints of the Service's EndpointSlice at each of its changes: where its traffic could go.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ReadyEndpoints(string service) =>
        Of("EndpointSlice")
            .Where(c => c.Type != "DELETED" && c.Object["metadata"]?["labels"]?[EndpointSliceController.ServiceNameLabel]?.GetValue<string>() == service)
            .Select(c => (IReadOnlyList<string>)(c.Object["endpoints"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(e => e["conditions"]?["ready"]?.GetValue<bool>() == true)
                .Select(e => e["targetRef"]!["name"]!.GetValue<string>()).ToList())
            .ToList();

    public void Dispose()
    {
        _store.StopWatching(_live);
        _live.Writer.TryComplete();
        _reader.Wait(TimeSpan.FromSeconds(5));
    }
}
