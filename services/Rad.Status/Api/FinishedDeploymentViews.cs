using System.Collections.Concurrent;
using System.Text.Json;
using Rad.Contracts;

namespace Rad.Status.Api;

/// <summary>
/// The JSON of deployments that have ended, kept in memory: a deployment in a final state never changes again, so
/// GET /api/deployments/{id} answers it without asking PostgreSQL or serializing again. Bounded: past
/// <see cref="Capacity"/> entries the oldest stored leave first (they are read again from the database when asked).
/// </summary>
public sealed class FinishedDeploymentViews
{
    public const int Capacity = 4096;
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly ConcurrentDictionary<Guid, byte[]> _views = new();
    readonly ConcurrentQueue<Guid> _order = new();

    public int Count => _views.Count;

    public bool TryGet(Guid id, out byte[] json) => _views.TryGetValue(id, out json!);

    /// <summary>The view's JSON, kept when the deployment has ended.</summary>
    public byte[] Serialize(DeploymentView view)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(view, Json);
        if (DeploymentStates.IsFinal(view.State) && _views.TryAdd(view.Id, json))
        {
            _order.Enqueue(view.Id);
            while (_views.Count > Capacity && _order.TryDequeue(out var oldest))
                _views.TryRemove(oldest, out _);
        }
        return json;
    }

    /// <summary>A JSON array of views already serialized.</summary>
    public static byte[] Array(IReadOnlyList<byte[]> views)
    {
        var array = new byte[2 + views.Sum(v => v.Length) + Math.Max(0, views.Count - 1)];
        var at = 0;
        array[at++] = (byte)'[';
        for (var i = 0; i < views.Count; i++)
        {
            if (i > 0)
                array[at++] = (byte)',';
            views[i].CopyTo(array, at);
            at += views[i].Length;
        }
        array[at] = (byte)']';
        return array;
    }
}
