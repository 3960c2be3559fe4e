using System.IO.Pipelines;

namespace Rad.Docker;

/// <summary>
/// A build context's tar as a stream that the engine reads while another task packs the folder into it: whatever the
/// context's size, at most the pipe's buffer (1 MiB) and a file's copy buffer are in memory.
/// </summary>
public sealed class StreamedBuildContext : IAsyncDisposable
{
    const long PipeBytes = 1024 * 1024;

    readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: PipeBytes, resumeWriterThreshold: PipeBytes / 2, useSynchronizationContext: false));
    readonly CancellationTokenSource _stop;
    readonly Task _packing;

    StreamedBuildContext(string directory, long maxBytes, CancellationToken token)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        Tar = _pipe.Reader.AsStream();
        _packing = Task.Run(() => PackAsync(directory, maxBytes, _stop.Token), CancellationToken.None);
    }

    /// <summary>The tar; a packing failure (the context too large, a file that cannot be read) surfaces in its reads.</summary>
    public Stream Tar { get; }

    /// <summary>Starts packing <paramref name="directory"/>; the tar stops with BuildContextTooLargeException past <paramref name="maxBytes"/>.</summary>
    public static StreamedBuildContext Start(string directory, long maxBytes, CancellationToken token) => new(directory, maxBytes, token);

    /// <summary>Stops packing if it still runs (the engine stopped reading) and says why packing failed, if it did.</summary>
    public async Task<Exception?> StopAsync()
    {
        await _stop.CancelAsync();
        // A writer waiting for the reader to make room would wait forever once nobody reads.
        await _pipe.Reader.CompleteAsync();
        try
        {
            await _packing;
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    async Task PackAsync(string directory, long maxBytes, CancellationToken token)
    {
        try
        {
            await using (var output = _pipe.Writer.AsStream(leaveOpen: true))
                await BuildContext.WriteAsync(directory, output, maxBytes, token);
            await _pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await _pipe.Writer.CompleteAsync(e);
            throw;
        }
    }
}
