using System.Net.Sockets;
using System.Text;

namespace Rad.Edge;

/// <summary>Talks to HAProxy's runtime API: the master socket for hitless reloads, the admin socket for server state.</summary>
public sealed class HaproxyControl(EdgeOptions options)
{
    public async Task<string> AdminAsync(string command, CancellationToken token) =>
        await SendAsync(options.AdminSocket, command, token);

    public async Task ReloadAsync(CancellationToken token)
    {
        var before = await WorkerPidAsync(token);
        await SendAsync(options.MasterSocket, "reload", token);
        // The reload is done when a new worker answers on the admin socket.
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(50, token);
            var now = await WorkerPidAsync(token);
            if (now is not null && now != before)
                return;
        }
        throw new InvalidOperationException("HAProxy did not start a new worker within 5 s of the reload; see its log");
    }

    /// <summary>"ip:port" of every server that HAProxy's health check currently sees UP, per backend.</summary>
    public async Task<Dictionary<string, List<string>>> UpServersAsync(CancellationToken token)
    {
        var result = new Dictionary<string, List<string>>();
        var state = await AdminAsync("show servers state", token);
        foreach (var line in state.Split('\n').Skip(2))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // be_id be_name srv_id srv_name srv_addr srv_op_state ... srv_port is field 18
            if (fields.Length < 19 || fields[5] != "2")
                continue;
            if (!result.TryGetValue(fields[1], out var servers))
                result[fields[1]] = servers = [];
            servers.Add($"{fields[4]}:{fields[18]}");
        }
        return result;
    }

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

    static async Task<string> SendAsync(string socketPath, string command, CancellationToken token)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
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
}
