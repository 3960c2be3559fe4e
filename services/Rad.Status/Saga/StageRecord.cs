using Rad.Contracts;

namespace Rad.Status.Saga;

public class StageRecord
{
    public string Name { get; set; } = "";
    public string State { get; set; } = StageStates.InProgress;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? Deadline { get; set; }
    public string? Message { get; set; }
}
