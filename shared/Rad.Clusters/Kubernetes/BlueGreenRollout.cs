using Rad.Contracts;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// Blue-green: the new version goes to the slot the Service does not select (NAME-blue or NAME-green), must become
/// Available with every pod ready (readiness needs `successes` passes in a row) — step "validate" — and only then does
/// the Service's selector move to it at once — step "switch", done when its EndpointSlices list exactly the new pods.
/// The slot that served before is kept for keep_previous (the Service's rad/keep-previous-until annotation; the next
/// deployment in the namespace or the deployer's periodic sweep deletes it after that), so a rollback within that
/// time finds its version still running and is only a switch. A new slot that fails validation is deleted and never
/// took traffic. An application that ran as one Deployment NAME (an earlier RAD, or another strategy) keeps serving
/// from it until the switch, which deletes it.
/// </summary>
public static class BlueGreenRollout
{
    public static async Task<int> RunAsync(KubernetesRollout rollout, ApplicationObjects current)
    {
        var application = rollout.Application;
        var image = rollout.Command.ImageReference;
        var keep = application.Rollout?.KeepPrevious ?? TimeSpan.Zero;
        var active = current.ActiveSlot;
        var serving = current.Slot(active);

        // The serving slot already runs this version: whatever else changed (replicas, probes) changes it in place.
        if (active is not null && serving is not null && ApplicationObjects.Image(serving) == image)
        {
            rollout.Changed = await rollout.ApplyAsync(rollout.Deployment(active), serving);
            var inPlace = await rollout.WaitAsync(active);
            var other = current.Slot(Manifests.OtherSlot(active));
            await rollout.ApplyServiceAsync(active, other is null ? null : KeepUntil(current));
            return inPlace;
        }

        var target = active is null ? Manifests.Blue : Manifests.OtherSlot(active);
        var before = current.Slot(target);
        var switchOnly = before is not null && ApplicationObjects.Image(before) == image;
        var name = rollout.DeploymentName(target);
        var servingName = serving is not null ? ApplicationObjects.Name(serving) : current.Main is not null ? ApplicationObjects.Name(current.Main) : null;
        await rollout.StepAsync("validate", StageStates.InProgress, switchOnly
            ? $"{name} still runs this version (kept as the previous one): checking that its {application.Replicas} pod(s) are ready ({rollout.CheckText()})"
            : $"{name} starts {application.Replicas} pod(s) of the new version; each must pass {rollout.CheckText()}");
        // A Service that selects by name alone would route to the new slot's pods before they are validated.
        if (active is null && current.Main is not null && current.Service is not null)
            await rollout.NarrowServiceToMainAsync(current.Service);
        int ready;
        try
        {
            await rollout.ApplyAsync(rollout.Deployment(target), before);
            ready = await rollout.WaitAsync(target);
        }
        catch (RolloutFailedException e)
        {
            // It never took traffic: it goes, and what served goes on serving.
            await rollout.DeleteAsync(target, "it failed its validation before the switch");
            var why = $"{name} did not pass its health check ({rollout.CheckText()}): {e.Message}; it was deleted and " +
                      (servingName is null ? "nothing served before" : $"{servingName} goes on serving");
            await rollout.StepAsync("validate", StageStates.Failed, why);
            throw new RolloutFailedException(why);
        }
        await rollout.StepAsync("validate", StageStates.Completed, $"{ready} of {application.Replicas} pod(s) of {name} ready ({rollout.CheckText()})");

        await rollout.StepAsync("switch", StageStates.InProgress, $"Service {application.Name}: from {servingName ?? "nothing"} to {name}");
        var keepUntil = serving is not null && keep > TimeSpan.Zero ? DateTimeOffset.UtcNow + keep : (DateTimeOffset?)null;
        rollout.Changed = true;
        await rollout.ApplyServiceAsync(target, keepUntil);
        string routed;
        try
        {
            routed = await rollout.WaitForEndpointsAsync(target);
        }
        catch (RolloutFailedException e)
        {
            await rollout.StepAsync("switch", StageStates.Failed, e.Message);
            throw;
        }
        if (current.Main is not null)
            await rollout.DeleteAsync(null, $"{application.Name} now runs as blue-green slots (migrated from the single Deployment)");
        if (current.Canary is not null)
            await rollout.DeleteAsync(Manifests.Canary, "left over from a canary; blue-green does not use it");
        string previous;
        if (serving is null)
            previous = servingName is null ? "first version" : $"{servingName} deleted";
        else if (keepUntil is { } until)
            previous = $"{servingName} kept until {RolloutPolicy.FormatKeptUntil(until)} for a rollback by switch";
        else
        {
            await rollout.DeleteAsync(active, "keep_previous is 0");
            previous = $"{servingName} deleted (keep_previous 0)";
        }
        await rollout.StepAsync("switch", StageStates.Completed, $"Service {application.Name} selects {name}: {routed}; {previous}");
        return ready;
    }

    /// <summary>The keep-until time the Service carries now (kept when a deployment changes the serving slot in place).</summary>
    static DateTimeOffset? KeepUntil(ApplicationObjects current) =>
        current.Service?["metadata"]?["annotations"]?[Manifests.KeepPreviousUntilAnnotation]?.GetValue<string>() is { } text
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var until)
            ? until
            : null;
}
