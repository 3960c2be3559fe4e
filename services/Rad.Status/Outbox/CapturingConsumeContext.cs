using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;

namespace Rad.Status.Outbox;

/// <summary>
/// The consume context a step of the saga runs in: what it publishes is captured (with the message id MassTransit gave
/// it) instead of leaving, so the repository writes it to the outbox in the step's own transaction. MassTransit's
/// outbox publish endpoint does the interception, as for its own transactional outbox. Only publishes: the outbox
/// publishes its rows again, so a send (none today) keeps going through the endpoint's in-memory outbox.
/// </summary>
public sealed class CapturingConsumeContext<TMessage> : ConsumeContextProxy<TMessage>, OutboxSendContext
    where TMessage : class
{
    readonly ConsumeContext<TMessage> _context;
    readonly List<OutgoingMessage> _captured = [];

    public CapturingConsumeContext(ConsumeContext<TMessage> context)
        : base(context)
    {
        _context = context;
        var receive = new PublishCapturingReceiveContext(this, context.ReceiveContext);
        ReceiveContext = receive;
        PublishEndpointProvider = receive.PublishEndpointProvider;
    }

    /// <summary>What the step published, in order.</summary>
    public IReadOnlyList<OutgoingMessage> Captured
    {
        get
        {
            lock (_captured)
                return [.. _captured];
        }
    }

    public Task AddSend<T>(SendContext<T> context) where T : class
    {
        lock (_captured)
            _captured.Add(new OutgoingMessage(context.MessageId ?? NewId.NextGuid(), typeof(T), context.Message));
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) =>
        _context.TryGetPayload(out IServiceProvider? provider) ? provider.GetService(serviceType) : null;
}

/// <summary>The receive context of <see cref="CapturingConsumeContext{TMessage}"/>: its publish endpoints capture, its send endpoints are the transport's.</summary>
sealed class PublishCapturingReceiveContext(OutboxSendContext outbox, ReceiveContext context) : ReceiveContextProxy(context)
{
    public override IPublishEndpointProvider PublishEndpointProvider { get; } = new OutboxPublishEndpointProvider(outbox, context.PublishEndpointProvider);
}
