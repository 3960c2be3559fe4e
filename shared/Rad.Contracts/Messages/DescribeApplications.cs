namespace Rad.Contracts;

/// <summary>Asks the deployer what runs on a cluster now; answered with <see cref="ApplicationsDescribed"/>.</summary>
public record DescribeApplications(string Cluster);
