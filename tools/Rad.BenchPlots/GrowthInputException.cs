namespace Rad.BenchPlots;

/// <summary>The measurements file is missing or wrong; the message says what, where and how to fix it.</summary>
public sealed class GrowthInputException(string message) : Exception(message);
