using Rad.Contracts;

namespace Rad.Clusters;

/// <summary>
/// What an application's tasks get: rad.json's resources, with the deployer's default limits where rad.json gives none
/// (raised to the request when rad.json asks for more than the default, since a limit may not be below its request).
/// </summary>
public static class EffectiveResources
{
    public static ApplicationResources Of(ApplicationSpec application, DeployerOptions options)
    {
        var asked = application.Resources ?? new ApplicationResources(null, null, null, null);
        return asked with
        {
            CpuLimit = asked.CpuLimit ?? AtLeast(Default(options.DefaultCpuLimit, "Rad__Deployer__DefaultCpuLimit", ResourceQuantity.NanoCpus), asked.CpuRequest, ResourceQuantity.NanoCpus),
            MemoryLimit = asked.MemoryLimit ?? AtLeast(Default(options.DefaultMemoryLimit, "Rad__Deployer__DefaultMemoryLimit", ResourceQuantity.Bytes), asked.MemoryRequest, ResourceQuantity.Bytes),
        };
    }

    /// <summary>The command with its application's effective resources, so every cluster and every comparison with what runs sees the same.</summary>
    public static DeployApplication Apply(DeployApplication command, DeployerOptions options) =>
        command with { Application = command.Application with { Resources = Of(command.Application, options) } };

    static string Default(string value, string setting, Func<string, long?> amount) =>
        amount(value) is > 0 ? value : throw new DeploymentFailedException($"{setting} \"{value}\" is not a Kubernetes quantity (e.g. \"500m\", \"256Mi\"); an operator must fix the deployer's configuration");

    static string AtLeast(string limit, string? request, Func<string, long?> amount) =>
        request is not null && amount(request) > amount(limit) ? request : limit;
}
