using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Rad.Edge;

/// <summary>Talks to HAProxy's runtime API: the master socket for hitless reloads, the admin socket for server state.</summary>
public sealed class HaproxyControl(EdgeOptions options)
{
    public async Task<string> AdminAsync(string command, CancellationToken token) =>
        await SendAsync(options.AdminSocket, command, token);

    /// <summary>
    /// Puts the configuration in place and reloads. HAProxy's master checks the file itself on a reload and keeps the
    /// running worker when it refuses it, so the file is not checked beforehand (a separate "haproxy -c" took some 50 ms
    /// of every reload, on the path of every rollout). Only when the reload fails is it asked why; the previous file goes
    /// back, so the next reconcile tries again rather than taking the refused file for the running one.
    /// </summary>
    public async Task ApplyAsync(string config, string previous, CancellationToken token)
    {
        var path = options.ConfigPath;
        await EdgeFiles.ReplaceAsync(path, config, token);
        try
        {
            await ReloadAsync(token);
        }
        catch (InvalidOperationException failed)
        {
            var reason = await CheckAsync(path, token);
            var refused = path + ".refused";
            File.Copy(path, refused, overwrite: true);
            await EdgeFiles.ReplaceAsync(path, previous, token);
            throw new InvalidOperationException(reason is null ? failed.Message
                : $"HAProxy refuses the generated configuration (kept as {refused}; the previous one stays in force): {reason}", failed);
        }
    }

    /// <summary>HAProxy's own words on what is wrong with the file, or null when it accepts it.</summary>
    static async Task<string?> CheckAsync(string path, CancellationToken token)
    {
        // Not -q: that keeps the reasons back too. Its notices (version, path) say nothing about the file.
        using var check = Process.Start(new ProcessStartInfo("haproxy", ["-c", "-f", path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var errors = check.StandardError.ReadToEndAsync(token);
        await check.StandardOutput.ReadToEndAsync(token);
        await check.WaitForExitAsync(token);
        return check.ExitCode == 0 ? null
            : string.Join(" ", (await errors).Split('\n').Where(l => l.StartsWith("[ALERT]", StringComparison.Ordinal)).Select(l => l.Trim()));
    }

    public async Task ReloadAsync(CancellationToken token)
    {
        var before = await WorkerPidAsync(token);
        await SaveServerStateAsync(token);
        await SendAsync(options.MasterSocket, "reload", token);
        // The reload is done when a new worker answers on the admin socket, looked for every 10 ms.
        for (var i = 0; i < 500; i++)
        {
            await Task.Delay(10, token);
            var now = await WorkerPidAsync(token);
            if (now is not null && now != before)
                return;
        }
        throw new InvalidOperationException("HAProxy did not start a new worker within 5 s of the reload; see its log");
    }

    /// <summary>
    /// Writes every server's current state (check result, weight) where the next worker loads it from. Taken from the
    /// running worker just before the reload, so it names only servers of the running configuration.
    /// </summary>
    public async Task SaveServerStateAsync(CancellationToken token)
    {
        string state;
        try
        {
            state = await AdminAsync("show servers state", token);
        }
        catch (SocketException)
        {
            // No worker answers (HAProxy is starting): the new one starts its checks afresh, as it would without a file.
            return;
        }
        await EdgeFiles.ReplaceAsync(options.ServerStatePath, state, token);
    }

    /// <summary>Every proxy and server row of "show stat", and the worker they come from (its counters start at its start).</summary>
    public async Task<HaproxyStats> StatsAsync(CancellationToken token) =>
        new(await WorkerPidAsync(token), HaproxyStats.Parse(await AdminAsync("show stat", token)));

    /// <summary>Sets a server's weight at once, without a reload (which would restart every counter); false when HAProxy refused.</summary>
    public async Task<bool> SetWeightAsync(string backendAndServer, int weight, CancellationToken token) =>
        (await AdminAsync($"set server {backendAndServer} weight {weight}", token)).Trim().Length == 0;

    async Task<string?> WorkerPidAsync(CancellationToken token)
    {
        try
        {
            var info = await AdminAsync("show info", token);
            return info.Split('\n').FirstOrDefault(l => l.StartsWith("Pid:", StringComparison.Ordinal))?[4..].Trim();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// How long a socket that refuses connections is tried again. Just after a reload the master is still executing
    /// itself anew and refuses its socket, and the old worker's admin socket can refuse before the new one listens; each
    /// such refusal used to fail a whole reconcile (retried 500 ms later) or a stats request (redelivered).
    /// </summary>
    static readonly TimeSpan RefusedPatience = TimeSpan.FromSeconds(1);

    static async Task<string> SendAsync(string socketPath, string command, CancellationToken token)
    {
        using var socket = await ConnectAsync(socketPath, token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), token);
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, token)) > 0)
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (SocketException)
        {
            // The master closes the connection abruptly when it re-executes itself for a reload.
        }
        return answer.ToString();
    }

    static async Task<Socket> ConnectAsync(string socketPath, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && Stopwatch.GetElapsedTime(started) < RefusedPatience)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await Task.Delay(10, token);
        }
    }
}
