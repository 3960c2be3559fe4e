namespace Rad.UnitTests;

/// <summary>A clock the test moves by hand, so deadlines are reached without waiting for them.</summary>
public sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
