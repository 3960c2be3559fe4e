using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Rad.Edge;
using Xunit;

namespace Rad.UnitTests;

public sealed class HaproxyControlTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("rad-haproxy-control-").FullName;

    string AdminSocket => Path.Combine(_folder, "admin.sock");

    [Fact]
    public async Task A_socket_that_refuses_for_a_moment_is_tried_again()
    {
        // What HAProxy has between two workers: the socket file is there and nothing listens on it.
        var between = Bound();
        var control = new HaproxyControl(new EdgeOptions { AdminSocket = AdminSocket });
        var watch = Stopwatch.StartNew();

        var asking = control.AdminAsync("show info", CancellationToken.None);
        await Task.Delay(100);
        between.Dispose();
        using var next = Bound();
        next.Listen(1);
        var answering = AnswerOnceAsync(next, "Pid: 42\n");

        Assert.Equal("Pid: 42\n", await asking);
        await answering;
        // It waited for the listener (the patience, 1 s, bounds the wait; a busy machine may stretch the 100 ms).
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(100), $"answered after {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_socket_that_keeps_refusing_fails_after_a_second()
    {
        using var between = Bound();
        var control = new HaproxyControl(new EdgeOptions { AdminSocket = AdminSocket });
        var watch = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<SocketException>(() => control.AdminAsync("show info", CancellationToken.None));

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    /// <summary>Bound and not listening: connections are refused until it listens. Disposing it removes the file.</summary>
    Socket Bound()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(AdminSocket));
        return socket;
    }

    static async Task AnswerOnceAsync(Socket listener, string answer)
    {
        using var client = await listener.AcceptAsync();
        var buffer = new byte[256];
        await client.ReceiveAsync(buffer);
        await client.SendAsync(Encoding.ASCII.GetBytes(answer));
        client.Shutdown(SocketShutdown.Both);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
