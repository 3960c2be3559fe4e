namespace Rad.Contracts;

public record ClusterDeleted(string Name);
