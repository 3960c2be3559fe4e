namespace Rad.FakeKubernetes;

/// <summary>
/// What the fake's deployment controller makes of a Deployment's pods (chosen per application name). Every scenario but
/// Healthy ends, after the progress deadline, with the Deployment's Progressing condition False (ProgressDeadlineExceeded).
/// </summary>
public enum Scenario
{
    /// <summary>Pods run and become ready; the rollout completes.</summary>
    Healthy,
    /// <summary>The image cannot be pulled: ErrImagePull, then ImagePullBackOff, with a Failed event from the kubelet.</summary>
    ImagePullBackOff,
    /// <summary>The container exits with code 1 again and again: CrashLoopBackOff, last termination reason Error.</summary>
    CrashLoopBackOff,
    /// <summary>No node has room: the pod stays Pending with PodScheduled=False, reason Unschedulable.</summary>
    Unschedulable,
    /// <summary>Nothing becomes available; after progressDeadlineSeconds the Progressing condition turns False (ProgressDeadlineExceeded).</summary>
    Stuck,
}
