namespace Rad.Builder;

/// <summary>A build the engine was running when its token was cancelled; <see cref="Where"/> is the step it had reached.</summary>
public sealed class BuildStoppedException(string where, Exception inner, CancellationToken token)
    : OperationCanceledException($"build stopped {where}", inner, token)
{
    public string Where { get; } = where;
}
