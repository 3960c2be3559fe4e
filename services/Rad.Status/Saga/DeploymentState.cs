using System.Text.Json.Serialization;
using MassTransit;

namespace Rad.Status.Saga;

public class DeploymentState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";

    /// <summary>Incremented on every save; the repository refuses a save whose version moved underneath it.</summary>
    public int Version { get; set; }

    /// <summary>Without credentials; those are in <see cref="RepositoryCredentials"/>, sealed (only the cloner unseals them).</summary>
    public string Repository { get; set; } = "";
    public string? RepositoryCredentials { get; set; }
    public string Ref { get; set; } = "";
    public string ConfigPath { get; set; } = "";
    public string Cluster { get; set; } = "";
    public string Concurrency { get; set; } = "";

    /// <summary>What started it (api, cli, bus, webhook:HOST), and whether it deploys applications pinned by a rollback (and unpins them).</summary>
    public string Trigger { get; set; } = "";
    public bool Force { get; set; }

    /// <summary>A webhook push that was not forced: it fails after its clone when its commit is older than the running one.</summary>
    public bool RefuseOlderCommit { get; set; }

    /// <summary>A rollback puts one application back at an earlier revision (no clone, no build); null for a deployment of a commit.</summary>
    public RollbackRecord? Rollback { get; set; }

    /// <summary>rad.json's rollback_on_failure: a failed release brings the applications it changed back to their previous revision.</summary>
    public bool RollbackOnFailure { get; set; } = true;

    /// <summary>The first application failure of the release ("stage: reason"), while the others end and the changed ones are restored.</summary>
    public string? ReleaseFailure { get; set; }
    public Guid QueueId { get; set; }

    /// <summary>While queued: when it enters its queue again (see DeadlineOptions.QueueRecheck), and when its wait has lasted too long.</summary>
    public DateTimeOffset? QueueCheckAt { get; set; }
    public DateTimeOffset? QueueDeadline { get; set; }
    public Guid? SupersededBy { get; set; }
    public string? Commit { get; set; }

    /// <summary>The commit's committer time, as the cloner read it (null before the clone, or when it could not).</summary>
    public DateTimeOffset? CommittedAt { get; set; }
    public string? WorkspacePath { get; set; }
    public string? RegistryAddress { get; set; }
    /// <summary>Where in the cluster the applications go: RAD's network on the local Swarm, or the namespace on Kubernetes.</summary>
    public string? Network { get; set; }
    public string? Namespace { get; set; }
    public bool ClusterReady { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public List<StageRecord> Stages { get; set; } = [];
    public List<ApplicationRecord> Applications { get; set; } = [];

    /// <summary>How many stage events this deployment has recorded: the sequence number of the last one.</summary>
    public long EventCount { get; set; }

    /// <summary>Stage transitions made while handling the current message; the repository appends them to the event log in the same transaction.</summary>
    [JsonIgnore]
    public List<StageEvent> NewEvents { get; } = [];

    /// <summary>Revisions and pin changes made while handling the current message; written in the same transaction as the saga row.</summary>
    [JsonIgnore]
    public List<RevisionWrite> NewRevisions { get; } = [];

    [JsonIgnore]
    public List<PinChange> NewPinChanges { get; } = [];
}

/// <summary>What a rollback deployment was asked for: the revision to go back to, by whom and why.</summary>
public record RollbackRecord(int TargetRevision, string RequestedBy, string? Reason);
