using System.Diagnostics;
using System.Text.Json;
using Dedao.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Messaging;

public static class OutboxDbContextExtensions
{
    /// <summary>
    /// Adds <paramref name="event"/> to the outbox in the caller's unit of work: it is published once the caller's
    /// SaveChanges (or transaction) commits, and never if it rolls back. The current trace travels with it.
    /// </summary>
    public static OutboxMessage AddIntegrationEvent<TEvent>(this DbContext db, TEvent @event) where TEvent : IIntegrationEvent
    {
        var activity = Activity.Current;
        var message = new OutboxMessage
        {
            MessageId = Guid.CreateVersion7(),
            EventName = TEvent.EventName,
            Body = JsonSerializer.Serialize(@event, EventMessage.JsonOptions),
            TraceParent = activity?.IdFormat == ActivityIdFormat.W3C ? activity.Id : null,
            TraceState = activity?.TraceStateString,
        };
        db.Set<OutboxMessage>().Add(message);
        return message;
    }
}
