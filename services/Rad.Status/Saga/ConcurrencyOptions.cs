namespace Rad.Status.Saga;

/// <summary>What a deployment does when another one of the same repository and cluster is running (Rad:Deployments:Concurrency).</summary>
public sealed class ConcurrencyOptions
{
    public const string Section = "Rad:Deployments";
    public const string Queue = "queue";
    public const string Supersede = "supersede";

    public string Concurrency { get; set; } = Queue;

    public static bool IsValid(string? value) => value is Queue or Supersede;
}
