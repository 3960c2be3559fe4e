namespace Rad.Status.Saga;

public sealed class DeadlineOptions
{
    public const string Section = "Rad:Deadlines";

    public TimeSpan Clone { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan Cluster { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan Build { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan Deploy { get; set; } = TimeSpan.FromMinutes(3);
}
