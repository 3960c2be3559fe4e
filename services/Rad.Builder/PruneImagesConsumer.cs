using MassTransit;
using Rad.Contracts;

namespace Rad.Builder;

/// <summary>Answers PruneImages from the status service (on its schedule, or rad gc) with what was removed.</summary>
public sealed class PruneImagesConsumer(ImagePruner pruner) : IConsumer<PruneImages>
{
    public async Task Consume(ConsumeContext<PruneImages> context) =>
        await context.RespondAsync(await pruner.PruneAsync(context.Message, context.CancellationToken));
}
