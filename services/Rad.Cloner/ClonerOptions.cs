namespace Rad.Cloner;

public sealed class ClonerOptions
{
    /// <summary>Where checkouts live, one folder per deployment; the builder reads them from the same path.</summary>
    public string Workspace { get; set; } = Path.Combine(Path.GetTempPath(), "rad-work");

    /// <summary>file:// URLs and local paths let whoever can request a deployment read this machine's disk, so they are off unless enabled.</summary>
    public bool AllowLocalRepositories { get; set; }

    /// <summary>For resolving the ref and fetching it together.</summary>
    public TimeSpan CloneTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Checkouts older than this are removed even if no one released them; longer than any build may take.</summary>
    public TimeSpan WorkspaceRetention { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How many complete checkouts are kept by commit for redeploys of the same commit (each also goes after WorkspaceRetention unused).</summary>
    public int CachedCheckouts { get; set; } = 10;

    /// <summary>
    /// A checkout whose working tree is larger than this is not kept for redeploys: copying it into the cache competed with
    /// its own build for the disk, and ten of them would hold ten times its size. 0 keeps none.
    /// </summary>
    public int CachedCheckoutMegabytes { get; set; } = 256;

    /// <summary>Per host, for https repositories whose URL carries none (Rad__Cloner__Credentials__0__Host=..., __Username, __Password). Never logged.</summary>
    public List<GitCredential> Credentials { get; set; } = [];
}

public sealed class GitCredential
{
    public string Host { get; set; } = "";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
}
