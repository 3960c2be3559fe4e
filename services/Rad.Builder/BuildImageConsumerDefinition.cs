using MassTransit;

namespace Rad.Builder;

public sealed class BuildImageConsumerDefinition : ConsumerDefinition<BuildImageConsumer>
{
    public const string ConcurrentBuildsKey = "Rad:Builder:ConcurrentBuilds";

    // Builds of different applications run side by side; more than the engine can work on only queue up inside it.
    public BuildImageConsumerDefinition(IConfiguration configuration)
    {
        var builds = configuration.GetValue(ConcurrentBuildsKey, 4);
        if (builds < 1)
            throw new InvalidOperationException($"{ConcurrentBuildsKey} is {builds}; give at least 1 (builds at once), e.g. Rad__Builder__ConcurrentBuilds=4");
        ConcurrentMessageLimit = builds;
    }
}
