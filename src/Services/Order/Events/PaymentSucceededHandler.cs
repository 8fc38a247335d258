using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.Order.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Order.Events;

/// <summary>
/// A payment for an order arrived: the order is paid, once. The user's other pending orders of the product can then never
/// complete: they are cancelled with it (reason <c>already_owned</c>), so that paying one is refused before money moves.
/// Money that arrives for an order that is cancelled, paid by another payment, or for a product the user bought through
/// another order, is handed back (<c>payment.refund_required</c>).
/// </summary>
public sealed class PaymentSucceededHandler(OrderDbContext db, OrderChanges changes, TimeProvider time, ILogger<PaymentSucceededHandler> logger)
    : IEventHandler<PaymentSucceeded>
{
    // Compiled once, as the order API's reads are: one less walk of an expression tree per payment.
    private static readonly Func<OrderDbContext, long, CancellationToken, Task<Data.Order?>> ReadOrder =
        EF.CompileAsyncQuery((OrderDbContext db, long id, CancellationToken cancellationToken) =>
            db.Orders.AsNoTracking().SingleOrDefault(o => o.Id == id));

    public static bool Wants(PaymentSucceeded @event) => @event.OrderId is not null;

    public async Task HandleAsync(PaymentSucceeded @event, EventContext context, CancellationToken cancellationToken)
    {
        var orderId = @event.OrderId!.Value;
        var order = await ReadOrder(db, orderId, cancellationToken);
        if (order is null || order.UserId != @event.UserId)
        {
            // Pay took this order from order itself, for this user: a mismatch is a bug, kept in the dead-letter queue.
            throw new InvalidOperationException($"Payment {@event.PaymentId} names order {orderId}, which is not this user's.");
        }

        var orders = await db.LockOrdersOfProductAsync(order.UserId, order.ProductType, order.ProductId, cancellationToken);
        order = orders.Single(o => o.Id == orderId);
        if (order.PaymentId == @event.PaymentId)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var owned = orders.Any(o => o.Status is OrderStatus.Paid or OrderStatus.Completed);
        if (order.Status == OrderStatus.Pending && !owned && @event.AmountFen == order.AmountFen)
        {
            order.Status = OrderStatus.Paid;
            order.PaidAt = now;
            order.PaymentId = @event.PaymentId;
            db.AddIntegrationEvent(new OrderPaid(order.Id, order.UserId, order.ProductType.ToContract(), order.ProductId, order.AmountFen, now));
            CancelBoughtElsewhere(orders.Where(o => o.Id != orderId), now, context);
            context.OnCommitted(() =>
            {
                changes.Changed(orderId);
                return Task.CompletedTask;
            });
            return;
        }

        logger.LogWarning("Payment {PaymentId} arrived for order {OrderId}, which is {Status}{Owned}: refunding it",
            @event.PaymentId, orderId, order.Status, owned ? " (the product is bought)" : "");
        db.AddIntegrationEvent(new PaymentRefundRequired(orderId, @event.PaymentId, order.UserId, @event.AmountFen, "order_cancelled"));
        if (owned)
        {
            CancelBoughtElsewhere([order], now, context);
        }
    }

    private void CancelBoughtElsewhere(IEnumerable<Data.Order> orders, DateTime now, EventContext context)
    {
        foreach (var pending in orders.Where(o => o.Status == OrderStatus.Pending))
        {
            pending.Status = OrderStatus.Cancelled;
            pending.CancelledAt = now;
            db.AddIntegrationEvent(new OrderCancelled(pending.Id, pending.UserId, "already_owned"));
            context.OnCommitted(() =>
            {
                changes.Changed(pending.Id);
                return Task.CompletedTask;
            });
        }
    }
}
