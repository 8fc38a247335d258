using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.Order.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Order.Events;

/// <summary>The catalog granted the buyer access: the paid order is completed.</summary>
public sealed class AccessGrantedHandler(OrderDbContext db) : IEventHandler<AccessGranted>
{
    public Task HandleAsync(AccessGranted @event, EventContext context, CancellationToken cancellationToken) =>
        db.Orders
            .Where(o => o.Id == @event.OrderId && o.UserId == @event.UserId && o.Status == OrderStatus.Paid)
            .ExecuteUpdateAsync(set => set.SetProperty(o => o.Status, OrderStatus.Completed), cancellationToken);
}
