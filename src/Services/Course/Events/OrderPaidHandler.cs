using Dedao.Caching;
using Dedao.Course.Data;
using Dedao.Contracts;
using Dedao.Messaging;

namespace Dedao.Course.Events;

/// <summary>A paid course order makes its buyer a purchaser here, and answers order with <c>access.granted</c>.</summary>
public sealed class OrderPaidHandler(CourseDbContext db, TimeProvider clock, IStorage<Guid, IReadOnlyList<Purchase>> purchases)
    : IEventHandler<OrderPaid>
{
    public static bool Wants(OrderPaid @event) => @event.ProductType == ProductType.Course;

    public async Task HandleAsync(OrderPaid @event, EventContext context, CancellationToken cancellationToken)
    {
        var purchase = await db.Purchases.FindAsync([@event.UserId, @event.ProductId], cancellationToken);
        // The same order again, under another message id: granted and answered already.
        if (purchase?.OrderId == @event.OrderId)
        {
            return;
        }

        // A second order for a course the reader has: nothing more to grant, but that order too is answered, so it completes.
        if (purchase is null)
        {
            db.Purchases.Add(new Purchase
            {
                UserId = @event.UserId, CourseId = @event.ProductId, OrderId = @event.OrderId, GrantedAt = clock.GetUtcNow().UtcDateTime,
            });
            // Dropped now, so what was read before is gone by the time access.granted leaves (the relay sends it once this
            // commits), and again once committed, since a read before the commit could cache "not purchased" again.
            await purchases.DeleteAsync(@event.UserId);
            context.OnCommitted(() => purchases.DeleteAsync(@event.UserId).AsTask());
        }

        db.AddIntegrationEvent(new AccessGranted(@event.OrderId, @event.UserId, ProductType.Course, @event.ProductId));
    }
}
