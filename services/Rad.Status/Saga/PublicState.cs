using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>The saga's inner states folded into the few stable words users see (<see cref="DeploymentStates"/>).</summary>
public static class PublicState
{
    public static string Of(string sagaState) => sagaState switch
    {
        "Queued" or "Initial" or "" => DeploymentStates.Queued,
        "Succeeded" => DeploymentStates.Succeeded,
        "Failed" => DeploymentStates.Failed,
        "Superseded" => DeploymentStates.Superseded,
        _ => DeploymentStates.InProgress,
    };
}
