using System.Text.Json.Nodes;
using Rad.Contracts;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// Canary without a service mesh: a second Deployment NAME-canary under the same Service (its pods carry the
/// application's label, which is all the Service selects), so traffic splits by pods. At each step of p% the canary runs
/// ceil(replicas x p / 100) pods (at least 1) and the main Deployment is scaled down to the rest (at least 1 until
/// 100%), new pods first so the number serving never drops; then for `pause` every canary pod must stay ready and not
/// restart. At 100% the canary serves alone, the main Deployment takes the new version (rolling), and the canary goes.
/// A canary that fails is deleted after the main Deployment is back at its replicas, and the deployment fails naming
/// why. Error rates are not measured: without a mesh or metrics RAD sees no requests on Kubernetes.
/// </summary>
public static class CanaryRollout
{
    public static async Task<int> RunAsync(KubernetesRollout rollout, ApplicationObjects current)
    {
        var application = rollout.Application;
        var policy = application.Rollout?.Canary ?? new CanaryPolicy([10, 50, 100], TimeSpan.FromSeconds(30), 0.01);
        var main = current.Main;
        var why = main is null || ApplicationObjects.Replicas(main) == 0 ? "nothing runs yet to compare it with"
            : application.Replicas == 0 ? "it is scaled to 0 replicas"
            : ApplicationObjects.Image(main) == rollout.Command.ImageReference ? "this version already runs"
            : null;
        if (main is null || why is not null)
        {
            rollout.Logger.LogInformation("{Application}: no canary steps for deployment {DeploymentId}, {Reason}; rolling out in place",
                application.Name, rollout.Command.DeploymentId, why);
            return await InPlaceRollout.RunAsync(rollout, current);
        }
        rollout.Logger.LogInformation(
            "{Application}: canary in {Steps} step(s) for deployment {DeploymentId}; traffic splits by pods (no service mesh), max_error_rate {MaxErrorRate} is not measured on Kubernetes, readiness is",
            application.Name, policy.Steps.Count, rollout.Command.DeploymentId, policy.MaxErrorRate);

        var canaryBefore = current.Canary;
        foreach (var percent in policy.Steps)
        {
            var (canaryPods, mainPods) = Split(application.Replicas, percent);
            var step = $"shift traffic {percent}%";
            await rollout.StepAsync(step, StageStates.InProgress,
                $"{canaryPods} pod(s) of the new version ({rollout.DeploymentName(Manifests.Canary)}) beside {mainPods} of the running one: " +
                $"{100 * canaryPods / (canaryPods + mainPods)}% of the pods (no service mesh: traffic follows pods; error rate not measured)");
            try
            {
                rollout.Changed = true;
                await rollout.ApplyAsync(rollout.Deployment(Manifests.Canary, canaryPods), canaryBefore);
                canaryBefore = null;
                await rollout.WaitAsync(Manifests.Canary);
                await rollout.ApplyAsync(ApplicationObjects.Scaled(main, mainPods), null);
                await rollout.WaitAsync(slot: null);
                if (percent < 100 && policy.Pause > TimeSpan.Zero)
                    await rollout.HoldAsync(Manifests.Canary, canaryPods, policy.Pause);
            }
            catch (RolloutFailedException e)
            {
                await RemoveCanaryAsync(rollout, main);
                var failure = $"the canary failed at {percent}% and was removed; {ApplicationObjects.Name(main)} serves {ApplicationObjects.Image(main)} on {ApplicationObjects.Replicas(main)} pod(s) again: {e.Message}";
                await rollout.StepAsync(step, StageStates.Failed, failure);
                throw new RolloutFailedException(failure);
            }
            await rollout.StepAsync(step, StageStates.Completed, percent < 100 && policy.Pause > TimeSpan.Zero
                ? $"{canaryPods} of {canaryPods + mainPods} pods run the new version, all ready for {Duration.Format(policy.Pause)}"
                : $"{canaryPods} of {canaryPods + mainPods} pods run the new version, all ready");
        }

        // All traffic is on the canary: the main Deployment takes the new version, then the canary goes.
        await rollout.ApplyAsync(rollout.Deployment(slot: null), null);
        var ready = await rollout.WaitAsync(slot: null);
        await rollout.ApplyServiceAsync(slot: null, keepPreviousUntil: null);
        await rollout.DeleteAsync(Manifests.Canary, $"{rollout.DeploymentName(null)} runs the new version");
        return ready;
    }

    /// <summary>Canary and main pods for a step: ceil(replicas x percent / 100), at least 1; the main keeps the rest, at least 1 until 100%.</summary>
    public static (int Canary, int Main) Split(int replicas, int percent)
    {
        if (percent >= 100)
            return (replicas, 0);
        var canary = Math.Clamp((int)Math.Ceiling(replicas * percent / 100.0), 1, replicas);
        return (canary, Math.Max(1, replicas - canary));
    }

    /// <summary>The main Deployment back at its replicas first (so the number serving never drops), then the canary deleted.</summary>
    static async Task RemoveCanaryAsync(KubernetesRollout rollout, JsonObject main)
    {
        await rollout.ApplyAsync(ApplicationObjects.Scaled(main, ApplicationObjects.Replicas(main)), null);
        await rollout.WaitAsync(slot: null);
        await rollout.DeleteAsync(Manifests.Canary, "it failed");
        rollout.Changed = false;
    }
}
