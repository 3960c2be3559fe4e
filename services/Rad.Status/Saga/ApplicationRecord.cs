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
}
