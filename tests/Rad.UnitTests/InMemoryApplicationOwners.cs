using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.UnitTests;

/// <summary>Application owners as a test sets them up (the PostgreSQL store is tested against PostgreSQL); claims all or none, as it does.</summary>
public sealed class InMemoryApplicationOwners : IApplicationOwners
{
    public Dictionary<(string Cluster, string Application), string> Owners { get; } = [];

    public Task<IReadOnlyList<OwnershipConflict>> ClaimAsync(string cluster, IReadOnlyCollection<string> applications, string repository, Guid deploymentId,
        DateTimeOffset at, CancellationToken token)
    {
        lock (Owners)
        {
            var conflicts = applications
                .Where(a => Owners.TryGetValue((cluster, a), out var owner) && !RepositoryIdentity.Same(owner, repository))
                .Select(a => new OwnershipConflict(a, Owners[(cluster, a)])).ToList();
            if (conflicts.Count == 0)
                foreach (var application in applications)
                    Owners.TryAdd((cluster, application), repository);
            return Task.FromResult<IReadOnlyList<OwnershipConflict>>(conflicts);
        }
    }
}
