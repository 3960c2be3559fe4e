using Xunit;

// Every test shares one real stack (one Swarm, one edge, one set of workers); running them one at a time keeps
// their timings honest and their ports apart.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
