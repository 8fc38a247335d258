using Microsoft.EntityFrameworkCore;

namespace Dedao.Order.Data;

/// <summary>
/// pending → paid → completed, or pending → cancelled: each move a conditional update from the one state it may leave, so a
/// repeat or a race moves an order at most once.
/// </summary>
public static class OrderTransitions
{
    public static async Task<bool> CancelAsync(this OrderDbContext db, long orderId, DateTime now, CancellationToken cancellationToken) =>
        await db.Orders
            .Where(o => o.Id == orderId && o.Status == OrderStatus.Pending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(o => o.Status, OrderStatus.Cancelled)
                .SetProperty(o => o.CancelledAt, now), cancellationToken) == 1;
}
