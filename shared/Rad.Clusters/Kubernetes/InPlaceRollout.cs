using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// Rolling and recreate: the application's one Deployment NAME takes the new version, by RollingUpdate with
/// maxUnavailable 0 (the old pods leave only as new ones are ready) or by Recreate; the Service selects all of the
/// application's pods. An application that ran as blue-green slots or with a canary moves to this shape: the slots and
/// the canary go once NAME runs, the one that served last.
/// </summary>
public static class InPlaceRollout
{
    public static async Task<int> RunAsync(KubernetesRollout rollout, ApplicationObjects current)
    {
        if (await rollout.ApplyAsync(rollout.Deployment(slot: null), current.Main))
            rollout.Changed = true;
        var ready = await rollout.WaitAsync(slot: null);

        var active = current.ActiveSlot;
        foreach (var slot in new[] { Manifests.Blue, Manifests.Green, Manifests.Canary }.Where(s => s != active && current.Slot(s) is not null))
        {
            await rollout.DeleteAsync(slot, $"{rollout.Application.Name} now runs as the single Deployment {rollout.DeploymentName(null)}");
            rollout.Changed = true;
        }
        await rollout.ApplyServiceAsync(slot: null, keepPreviousUntil: null);
        if (active is not null && current.Slot(active) is not null)
        {
            // The slot that served until the Service selected all pods: it goes last, so the port never lacks a backend.
            await rollout.DeleteAsync(active, $"{rollout.Application.Name} now runs as the single Deployment {rollout.DeploymentName(null)}");
            rollout.Changed = true;
        }
        return ready;
    }
}
