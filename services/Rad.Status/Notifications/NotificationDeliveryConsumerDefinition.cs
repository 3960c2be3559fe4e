using MassTransit;
using Microsoft.Extensions.Options;

namespace Rad.Status.Notifications;

public sealed class NotificationDeliveryConsumerDefinition : ConsumerDefinition<NotificationDeliveryConsumer>
{
    public NotificationDeliveryConsumerDefinition(IOptions<NotificationOptions> options)
    {
        // A delivery holds its message through its retries: enough of them run at once that dead targets never hold up live ones.
        ConcurrentMessageLimit = options.Value.ConcurrentDeliveries;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<NotificationDeliveryConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.PrefetchCount = (ushort)Math.Max(ConcurrentMessageLimit ?? 1, 1);
    }
}
