using MassTransit;

namespace Rad.Builder;

public sealed class BuildImageConsumerDefinition : ConsumerDefinition<BuildImageConsumer>
{
    // Builds of different applications run side by side; more than this would only queue up inside the engine.
    public BuildImageConsumerDefinition() => ConcurrentMessageLimit = 4;
}
