using Dedao.Contracts;

namespace Dedao.Messaging;

/// <summary>
/// Handles one event for a service. Runs in one database transaction with the inbox row: the bus saves the scope's
/// context and commits after it returns, then acks. A throw rolls everything back and the message is retried.
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IIntegrationEvent
{
    /// <summary>
    /// Whether an event is for this service at all (a course's order, for column). One that is not is acked as it arrives:
    /// no scope, no transaction and no inbox row, since handling it would change nothing.
    /// </summary>
    static virtual bool Wants(TEvent @event) => true;

    Task HandleAsync(TEvent @event, EventContext context, CancellationToken cancellationToken);
}
