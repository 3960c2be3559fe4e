using System.Runtime.Versioning;
using Xunit;

// Every test shares one real stack (one Swarm, one edge, one set of workers); running them one at a time keeps
// their timings honest and their ports apart.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// The suite drives Linux-only infrastructure (Docker, git daemon, file modes).
[assembly: SupportedOSPlatform("linux")]
