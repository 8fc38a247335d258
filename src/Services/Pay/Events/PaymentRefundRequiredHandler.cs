using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.Pay.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Pay.Events;

/// <summary>
/// Order will not use this payment's money (its order was cancelled or paid another way): the payment is refunded, once.
/// Coins go back to the wallet by coin's own handler of the same event; the sandbox provider has no refund call to make.
/// </summary>
public sealed class PaymentRefundRequiredHandler(PayDbContext db, TimeProvider time, ILogger<PaymentRefundRequiredHandler> logger)
    : IEventHandler<PaymentRefundRequired>
{
    public async Task HandleAsync(PaymentRefundRequired @event, EventContext context, CancellationToken cancellationToken)
    {
        var refunded = await db.Payments
            .Where(p => p.Id == @event.PaymentId && p.Status == PaymentStatus.Succeeded)
            .ExecuteUpdateAsync(set => set
                .SetProperty(p => p.Status, PaymentStatus.Refunded)
                .SetProperty(p => p.SettledAt, time.GetUtcNow().UtcDateTime), cancellationToken);
        if (refunded == 1)
        {
            logger.LogInformation("Payment {PaymentId} for order {OrderId} refunded: {Reason}", @event.PaymentId, @event.OrderId, @event.Reason);
        }
    }
}
