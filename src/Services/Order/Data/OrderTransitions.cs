using Dedao.Contracts;
using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Order.Data;

/// <summary>
/// pending → paid → completed, or pending → cancelled: each move a conditional update (or made under the rows' locks) from
/// the one state it may leave, with its event in the same transaction, so a repeat or a race moves an order at most once.
/// </summary>
public static class OrderTransitions
{
    /// <summary>Creates the order and its <c>order.created</c>, which needs the order's id, in one transaction.</summary>
    public static Task CreateAsync(this OrderDbContext db, Order order, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            order.Id = 0;
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            db.Orders.Add(order);
            await db.SaveChangesAsync(ct);
            db.AddIntegrationEvent(new OrderCreated(order.Id, order.UserId, order.ProductType.ToContract(), order.ProductId,
                order.AmountFen, order.ExpiresAt));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }, cancellationToken);

    /// <summary>Cancels a pending order and publishes <c>order.cancelled</c>; false when it was no longer pending.</summary>
    /// <param name="reason"><c>user</c> or <c>expired</c>.</param>
    public static Task<bool> CancelAsync(this OrderDbContext db, long orderId, Guid userId, string reason, DateTime now,
        CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var cancelled = await db.Orders
                .Where(o => o.Id == orderId && o.UserId == userId && o.Status == OrderStatus.Pending)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(o => o.Status, OrderStatus.Cancelled)
                    .SetProperty(o => o.CancelledAt, now), ct) == 1;
            if (cancelled)
            {
                db.AddIntegrationEvent(new OrderCancelled(orderId, userId, reason));
                await db.SaveChangesAsync(ct);
            }

            await transaction.CommitAsync(ct);
            return cancelled;
        }, cancellationToken);

    /// <summary>
    /// The user's orders of one product, locked until the caller's transaction ends: two payments for two orders of the same
    /// product, handled at once, are then decided one after the other, and only one of them buys it.
    /// </summary>
    public static Task<List<Order>> LockOrdersOfProductAsync(this OrderDbContext db, Guid userId, ProductType productType, long productId,
        CancellationToken cancellationToken) =>
        db.Orders.FromSql($"""
            SELECT * FROM Orders WHERE UserId = {userId.ToString()} AND ProductType = {productType.ToString()} AND ProductId = {productId}
            FOR UPDATE
            """).ToListAsync(cancellationToken);

    public static Contracts.ProductType ToContract(this ProductType type) => type switch
    {
        ProductType.Column => Contracts.ProductType.Column,
        _ => Contracts.ProductType.Course,
    };
}
