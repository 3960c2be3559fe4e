namespace Rad.FakeKubernetes;

/// <summary>
/// What the fake's kubelet makes of a new pod (chosen per image, else per application name). A rollout whose new pods
/// never become ready ends, after the progress deadline, with the Deployment's Progressing condition False
/// (ProgressDeadlineExceeded).
/// </summary>
public enum Scenario
{
    /// <summary>Pods run and become ready; the rollout completes.</summary>
    Healthy,
    /// <summary>The container runs but never passes its readiness probe: Running, not Ready, an Unhealthy event with what the probe saw.</summary>
    Unready,
    /// <summary>The container becomes ready, then (after DeploymentController.UnreadyAfter) fails its readiness probe.</summary>
    BecomesUnready,
    /// <summary>The image cannot be pulled: ErrImagePull, then ImagePullBackOff, with a Failed event from the kubelet.</summary>
    ImagePullBackOff,
    /// <summary>The container exits with code 1 again and again: CrashLoopBackOff, last termination reason Error.</summary>
    CrashLoopBackOff,
    /// <summary>No node has room: the pod stays Pending with PodScheduled=False, reason Unschedulable.</summary>
    Unschedulable,
    /// <summary>Nothing becomes available; after progressDeadlineSeconds the Progressing condition turns False (ProgressDeadlineExceeded).</summary>
    Stuck,
}
