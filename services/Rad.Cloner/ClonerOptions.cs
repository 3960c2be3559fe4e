namespace Rad.Cloner;

public sealed class ClonerOptions
{
    /// <summary>Where checkouts live, one folder per deployment; the builder reads them from the same path.</summary>
    public string Workspace { get; set; } = Path.Combine(Path.GetTempPath(), "rad-work");

    /// <summary>file:// URLs and local paths let whoever can request a deployment read this machine's disk, so they are off unless enabled.</summary>
    public bool AllowLocalRepositories { get; set; }

    public TimeSpan CloneTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Checkouts older than this are removed even if no one released them; longer than any build may take.</summary>
    public TimeSpan WorkspaceRetention { get; set; } = TimeSpan.FromHours(6);
}
