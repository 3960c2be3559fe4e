using System.ComponentModel;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using k8s;
using k8s.Authentication;
using k8s.KubeConfigModels;
using Microsoft.Extensions.Logging;
using Rad.Contracts;

namespace Rad.Kubernetes;

/// <summary>
/// The bearer token of an exec credential plugin (client.authentication.k8s.io), cached until its expirationTimestamp.
/// KubernetesClient sets the plugin's process up and reads its ExecCredential; the library's own ExecTokenProvider is
/// not used because it ignores the exit code and stderr (a failing plugin reads as "failed deserialization" with a
/// stack trace) and splits arguments at spaces. Neither its stdout (the credential) nor its stderr (whatever the plugin
/// prints) goes into an error, which users see in deployment status: stderr goes to RAD's log only.
/// </summary>
public sealed class ExecCredentialProvider(ExternalExecution plugin, Uri server, ILogger? logger = null) : ITokenProvider
{
    readonly SemaphoreSlim _gate = new(1, 1);
    ExecCredentialResponse.ExecStatus? _credential;

    /// <summary>Forgets the cached token (the server refused it before its expiry): the next request asks the plugin again.</summary>
    public void Expire() => _credential = null;

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_credential is not { } credential || credential.ExpirationTimestamp < DateTime.UtcNow.AddSeconds(10))
                _credential = credential = await RunAsync(cancellationToken);
            return new AuthenticationHeaderValue("Bearer", credential.Token);
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<ExecCredentialResponse.ExecStatus> RunAsync(CancellationToken token)
    {
        // A stderr handler makes the library redirect stderr, read below.
        using var process = KubernetesClientConfiguration.CreateRunnableExternalProcess(plugin, (_, _) => { });
        process.StartInfo.Arguments = "";
        foreach (var argument in plugin.Arguments ?? [])
            process.StartInfo.ArgumentList.Add(argument);
        var info = JsonNode.Parse(process.StartInfo.Environment["KUBERNETES_EXEC_INFO"]!)!;
        info["spec"] = new JsonObject { ["interactive"] = false, ["cluster"] = plugin.ProvideClusterInfo ? new JsonObject { ["server"] = server.ToString() } : null };
        process.StartInfo.Environment["KUBERNETES_EXEC_INFO"] = info.ToJsonString();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new KubeconfigException($"the credential plugin '{plugin.Command}' cannot be run ({e.Message}){(plugin.InstallHint is null ? "" : $": {plugin.InstallHint.Trim()}")}");
        }
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(token), process.StandardError.ReadToEndAsync(token));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new KubeconfigException($"the credential plugin '{plugin.Command}' did not answer within 60 s");
        }
        if (process.ExitCode != 0)
        {
            logger?.LogWarning("Credential plugin {Command} for {Server} failed (exit {ExitCode}): {Stderr}", plugin.Command, server, process.ExitCode, Excerpt.Of((await stderr).Trim().Split('\n')[^1].Trim(), 500));
            throw new KubeconfigException($"the credential plugin '{plugin.Command}' failed (exit {process.ExitCode}); its error output is in the log of RAD's service that ran it");
        }
        try
        {
            if (KubernetesJson.Deserialize<ExecCredentialResponse>(await stdout)?.Status is { Token: not null } status)
                return status;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        throw new KubeconfigException($"the credential plugin '{plugin.Command}' did not print an ExecCredential with status.token (client certificates from plugins are not supported)");
    }
}
