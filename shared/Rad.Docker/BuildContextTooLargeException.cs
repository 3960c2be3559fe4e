namespace Rad.Docker;

/// <summary>A build context that grew past the size allowed; <see cref="Reached"/> is how far it got (at least the limit plus one byte).</summary>
public sealed class BuildContextTooLargeException(long reached, long limit, string? at)
    : Exception($"the build context reached {Bytes.Describe(reached)} ({reached} bytes){(at is null ? "" : $" at {at}")}, over the limit of {Bytes.Describe(limit)} ({limit} bytes)")
{
    public long Reached { get; } = reached;
    public string? At { get; } = at;
    public long Limit { get; } = limit;
}
