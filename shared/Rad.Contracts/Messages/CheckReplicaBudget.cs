namespace Rad.Contracts;

/// <summary>
/// Asks the deployer, while the images build, whether a deployment's applications fit the cluster's replica budget, so a
/// rad.json that can never fit fails at once rather than after its builds. A refusal comes back as
/// <see cref="ReplicaBudgetRefused"/>, a fit as nothing: each rollout claims its place in the budget again before it starts.
/// </summary>
public record CheckReplicaBudget(Guid DeploymentId, string Cluster, IReadOnlyList<ReplicaAsk> Applications) : IDeploymentMessage;

/// <summary>The replicas a deployment asks for one application.</summary>
public record ReplicaAsk(string Application, int Replicas);

/// <summary>The applications of the deployment do not fit the cluster's replica budget; <paramref name="Application"/> is the first that asks for more than it runs.</summary>
public record ReplicaBudgetRefused(Guid DeploymentId, string Application, string Reason) : IDeploymentMessage;
