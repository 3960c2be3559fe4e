using System.Net;

namespace Rad.Docker;

public sealed class DockerApiException(HttpStatusCode status, string path, string engineMessage)
    : Exception($"Docker engine answered {(int)status} to {path.Split('?')[0]}: {engineMessage}")
{
    public HttpStatusCode Status { get; } = status;
    public string EngineMessage { get; } = engineMessage;
}
