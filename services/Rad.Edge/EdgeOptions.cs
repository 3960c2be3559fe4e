namespace Rad.Edge;

public sealed class EdgeOptions
{
    public const string Section = "Rad:Edge";

    public string ConfigPath { get; set; } = "/tmp/rad-edge/haproxy.cfg";
    public string MasterSocket { get; set; } = "/tmp/rad-edge/master.sock";
    /// <summary>Where the servers' states (checks, weights) are kept across a reload: beside the configuration.</summary>
    public string ServerStatePath => Path.ChangeExtension(ConfigPath, ".state");

    public string AdminSocket { get; set; } = "/tmp/rad-edge/admin.sock";
    public string BindAddress { get; set; } = "127.0.0.1";
    public string Network { get; set; } = "rad";

    /// <summary>A full reconcile runs this often even without Docker events, in case an event was missed.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(5);
}
