namespace Rad.Status.Notifications;

/// <summary>Rad:Dashboard: where people open RAD's web pages; notifications link there.</summary>
public sealed class DashboardOptions
{
    public const string Section = "Rad:Dashboard";

    public string PublicUrl { get; set; } = "http://127.0.0.1:7080/";

    public string DeploymentLink(Guid id) => $"{PublicUrl.TrimEnd('/')}/#/deployments/{id}";
}
