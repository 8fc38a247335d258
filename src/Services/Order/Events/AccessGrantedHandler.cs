using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.Order.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Order.Events;

/// <summary>The catalog granted the buyer access: the paid order is completed.</summary>
public sealed class AccessGrantedHandler(OrderDbContext db, OrderChanges changes) : IEventHandler<AccessGranted>
{
    public async Task HandleAsync(AccessGranted @event, EventContext context, CancellationToken cancellationToken)
    {
        if (await db.Orders
                .Where(o => o.Id == @event.OrderId && o.UserId == @event.UserId && o.Status == OrderStatus.Paid)
                .ExecuteUpdateAsync(set => set.SetProperty(o => o.Status, OrderStatus.Completed), cancellationToken) > 0)
        {
            context.OnCommitted(() =>
            {
                changes.Changed(@event.OrderId);
                return Task.CompletedTask;
            });
        }
    }
}
