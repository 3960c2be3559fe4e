namespace Rad.Cloner;

/// <summary>A clone that failed for a reason the user can act on; its message is shown as the stage's error.</summary>
public sealed class CloneException(string message) : Exception(message);
