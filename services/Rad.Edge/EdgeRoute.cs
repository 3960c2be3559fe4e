namespace Rad.Edge;

/// <summary>One published port and the task addresses behind it.</summary>
public sealed record EdgeRoute(int Port, string Application, IReadOnlyList<string> Backends);
