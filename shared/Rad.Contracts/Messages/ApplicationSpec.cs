namespace Rad.Contracts;

/// <summary>One application of rad.json, resolved against the checked-out repository.</summary>
public record ApplicationSpec(
    string Name,
    string Dockerfile,
    string Context,
    int Replicas,
    int Port,
    int ContainerPort);
