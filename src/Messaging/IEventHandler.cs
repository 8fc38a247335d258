using Dedao.Contracts;

namespace Dedao.Messaging;

/// <summary>
/// Handles one event for a service. Runs in one database transaction with the inbox row: the bus saves the scope's
/// context and commits after it returns, then acks. A throw rolls everything back and the message is retried.
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IIntegrationEvent
{
    Task HandleAsync(TEvent @event, EventContext context, CancellationToken cancellationToken);
}
