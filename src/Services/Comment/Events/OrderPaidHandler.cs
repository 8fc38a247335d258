using Dedao.Comment.Data;
using Dedao.Contracts;
using Dedao.Messaging;

namespace Dedao.Comment.Events;

/// <summary>A paid order lets its buyer comment on every article or lesson of the product.</summary>
public sealed class OrderPaidHandler(CommentDbContext db) : IEventHandler<OrderPaid>
{
    public async Task HandleAsync(OrderPaid @event, EventContext context, CancellationToken cancellationToken)
    {
        if (await db.Purchases.FindAsync([@event.UserId, @event.ProductType, @event.ProductId], cancellationToken) is null)
        {
            db.Purchases.Add(new Purchase
            {
                UserId = @event.UserId, ProductType = @event.ProductType, ProductId = @event.ProductId, OrderId = @event.OrderId,
            });
        }
    }
}
