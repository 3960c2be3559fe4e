namespace Rad.Cli;

/// <summary>A failure the user must fix (bad arguments, RAD unreachable, refused token): printed on stderr, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);

public static class ExitCodes
{
    public const int Succeeded = 0;
    public const int DeploymentFailed = 1;
    public const int UsageOrConnection = 2;
}
