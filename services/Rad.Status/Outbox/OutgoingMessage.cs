namespace Rad.Status.Outbox;

/// <summary>A message published inside a transaction: its id (kept when it is published, so consumers can recognise it again), its type and itself.</summary>
public sealed record OutgoingMessage(Guid MessageId, Type MessageType, object Message);

/// <summary>An outbox row: <see cref="Id"/> orders the rows and deletes them once published.</summary>
public sealed record OutboxRow(long Id, OutgoingMessage Message);
