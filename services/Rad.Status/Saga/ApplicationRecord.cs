using Rad.Contracts;

namespace Rad.Status.Saga;

public class ApplicationRecord
{
    public string Name { get; set; } = "";
    public ApplicationSpec Spec { get; set; } = null!;
    public string? Image { get; set; }
    public string? ImageReference { get; set; }
    public bool Built { get; set; }
    public bool Deployed { get; set; }
    public int RunningReplicas { get; set; }
    public string? Endpoint { get; set; }

    /// <summary>Why this deployment leaves the application alone (it is pinned by a rollback); null when it deploys it.</summary>
    public string? Skipped { get; set; }

    /// <summary>Its deploy stage failed (the reason is on the stage).</summary>
    public bool Failed { get; set; }

    /// <summary>This deployment changed what serves it: a failed release must bring it back.</summary>
    public bool Changed { get; set; }

    /// <summary>The revision that served it before this deployment, to go back to; null when it had none.</summary>
    public PreviousRevision? Previous { get; set; }

    /// <summary>Where bringing it back stands, after the release failed: null (not needed), InProgress, Completed or Failed.</summary>
    public string? Restore { get; set; }

    public bool Ended => Deployed || Failed;
}

/// <summary>Enough of an earlier revision to deploy it again.</summary>
public record PreviousRevision(int Revision, string Commit, string ImageReference, ApplicationSpec Spec);
