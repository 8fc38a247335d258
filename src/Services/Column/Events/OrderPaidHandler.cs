using Dedao.Caching;
using Dedao.Column.Data;
using Dedao.Contracts;
using Dedao.Messaging;

namespace Dedao.Column.Events;

/// <summary>A paid column order makes its buyer a subscriber here, and answers order with <c>access.granted</c>.</summary>
public sealed class OrderPaidHandler(ColumnDbContext db, TimeProvider clock, IStorage<Guid, IReadOnlyList<Subscription>> subscriptions)
    : IEventHandler<OrderPaid>
{
    public static bool Wants(OrderPaid @event) => @event.ProductType == ProductType.Column;

    public async Task HandleAsync(OrderPaid @event, EventContext context, CancellationToken cancellationToken)
    {
        var subscription = await db.Subscriptions.FindAsync([@event.UserId, @event.ProductId], cancellationToken);
        // The same order again, under another message id: granted and answered already.
        if (subscription?.OrderId == @event.OrderId)
        {
            return;
        }

        // A second order for a column the reader has: nothing more to grant, but that order too is answered, so it completes.
        if (subscription is null)
        {
            db.Subscriptions.Add(new Subscription
            {
                UserId = @event.UserId, ColumnId = @event.ProductId, OrderId = @event.OrderId, GrantedAt = clock.GetUtcNow().UtcDateTime,
            });
            // Dropped now, so what was read before is gone by the time access.granted leaves (the relay sends it once this
            // commits), and again once committed, since a read before the commit could cache "none" again.
            await subscriptions.DeleteAsync(@event.UserId);
            context.OnCommitted(() => subscriptions.DeleteAsync(@event.UserId).AsTask());
        }

        db.AddIntegrationEvent(new AccessGranted(@event.OrderId, @event.UserId, ProductType.Column, @event.ProductId));
    }
}
