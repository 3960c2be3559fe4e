using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rad.Kubernetes;

/// <summary>
/// Runs an exec credential plugin (the client.authentication.k8s.io protocol) and caches what it returns until its
/// expirationTimestamp. The plugin's stderr (its own error message) is kept for errors; its stdout, the credential, never.
/// </summary>
public sealed class ExecCredentials(ExecPlugin plugin, Uri server)
{
    readonly SemaphoreSlim _gate = new(1, 1);
    (string? Token, DateTimeOffset? Expires) _cached;

    public async Task<string> TokenAsync(bool refresh, CancellationToken token)
    {
        await _gate.WaitAsync(token);
        try
        {
            if (!refresh && _cached.Token is { } cached && (_cached.Expires is null || _cached.Expires > DateTimeOffset.UtcNow.AddSeconds(10)))
                return cached;
            _cached = await RunAsync(token);
            return _cached.Token!;
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<(string?, DateTimeOffset?)> RunAsync(CancellationToken token)
    {
        var start = new ProcessStartInfo(plugin.Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in plugin.Args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in plugin.Env)
            start.Environment[name] = value;
        var info = new JsonObject
        {
            ["apiVersion"] = plugin.ApiVersion,
            ["kind"] = "ExecCredential",
            ["spec"] = new JsonObject { ["interactive"] = false },
        };
        if (plugin.ProvideClusterInfo)
            info["spec"]!["cluster"] = new JsonObject { ["server"] = server.ToString() };
        start.Environment["KUBERNETES_EXEC_INFO"] = info.ToJsonString();

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new KubeconfigException($"the credential plugin '{plugin.Command}' cannot be run ({e.Message}){(plugin.InstallHint is null ? "" : $": {plugin.InstallHint.Trim()}")}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(token);
            var stderr = process.StandardError.ReadToEndAsync(token);
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
                throw new KubeconfigException($"the credential plugin '{plugin.Command}' failed (exit {process.ExitCode}): {Last(await stderr)}");
            JsonObject? credential;
            try
            {
                credential = JsonNode.Parse(await stdout) as JsonObject;
            }
            catch (JsonException)
            {
                credential = null;
            }
            var status = credential?["status"] as JsonObject;
            var bearer = status?["token"]?.GetValue<string>();
            if (bearer is null)
                throw new KubeconfigException($"the credential plugin '{plugin.Command}' did not print an ExecCredential with status.token (client certificates from plugins are not supported)");
            DateTimeOffset? expires = status?["expirationTimestamp"]?.GetValue<string>() is { } at && DateTimeOffset.TryParse(at, out var parsed) ? parsed : null;
            return (bearer, expires);
        }
    }

    static string Last(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
}
