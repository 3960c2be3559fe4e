namespace Rad.Webhooks;

/// <summary>
/// Where one repository's pushes deploy, fixed on the server (Rad:Webhooks:Repositories:N): the signature covers only
/// the body, so the URL's query must not be what chooses the cluster or the rad.json.
/// </summary>
public sealed class WebhookBinding
{
    /// <summary>The repository's address as the git host sends it (compared without credentials, ".git" or a trailing "/").</summary>
    public string Repository { get; set; } = "";

    public string? Cluster { get; set; }
    public string? ConfigPath { get; set; }
}
