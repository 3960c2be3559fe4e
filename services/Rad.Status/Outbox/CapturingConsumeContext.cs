using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;

namespace Rad.Status.Outbox;

/// <summary>
/// The consume context a step of the saga runs in: what it publishes is captured (with the message id MassTransit gave
/// it) instead of leaving, so the repository writes it to the outbox in the step's own transaction. MassTransit's
/// outbox receive context does the interception, as for its own transactional outbox.
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
        var receive = new OutboxReceiveContext(this, context.ReceiveContext);
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
