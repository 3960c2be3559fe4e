namespace Rad.Kubernetes;

/// <summary>
/// Which kubeconfig credential plugins (users[].user.exec) RAD may run: only a command that an operator listed in RAD's
/// own configuration (<see cref="Setting"/>), written exactly as the kubeconfig writes it, and never with an environment
/// of the kubeconfig's (LD_PRELOAD, PATH or a plugin's own configuration file would make an allowed plugin run anything).
/// A kubeconfig arrives over the API, so without this anyone who may register a cluster runs any command on RAD's hosts.
/// </summary>
public sealed class ExecPluginPolicy(IEnumerable<string> allowed)
{
    public const string Section = "Rad:Kubernetes:ExecAllowlist";
    public const string Setting = "Rad__Kubernetes__ExecAllowlist (a comma-separated list, or __0, __1, ...)";
    readonly HashSet<string> _allowed = new(allowed.Select(a => a.Trim()).Where(a => a.Length > 0), StringComparer.Ordinal);

    public IReadOnlyCollection<string> Allowed => _allowed;

    /// <summary>Null when the context runs no plugin or one RAD may run; else why it may not, saying how to fix it.</summary>
    public string? Refusal(KubeContext context)
    {
        if (context.User.ExternalExecution is not { } exec)
            return null;
        var at = $"{context}: exec.command";
        if (!_allowed.Contains(exec.Command))
            return $"{at} '{Rad.Contracts.Excerpt.Of(exec.Command, 120)}' is a credential plugin that the operator has not allowed; RAD runs only the plugins " +
                   $"listed in {Setting} on the status, cluster-provisioner and deployer services " +
                   (_allowed.Count == 0 ? "(none are)" : $"({string.Join(", ", _allowed)})") +
                   ". Use a token or client-certificate-data instead, or ask the operator to allow the plugin";
        if (exec.EnvironmentVariables is { Count: > 0 } env)
            return $"{at} '{exec.Command}' comes with exec.env ({string.Join(", ", env.Select(e => e.TryGetValue("name", out var name) ? name : "?"))}), which RAD does not accept: " +
                   "a kubeconfig's environment could make an allowed plugin run another program; set the plugin's environment on RAD's services instead";
        return null;
    }
}
