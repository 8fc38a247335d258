using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.Pay.Clients;
using Dedao.Pay.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Pay.Events;

/// <summary>
/// Order will not use this payment's money (its order was cancelled or paid another way): the payment is refunded, once.
/// A sandbox payment's money goes back at the provider first, and the payment says refunded only once it has: the
/// provider makes one refund per payment, so a retry after a failure gives nothing back twice. Coins go back to the
/// wallet by coin's own handler of the same event.
/// </summary>
public sealed class PaymentRefundRequiredHandler(PayDbContext db, SandboxClient sandbox, TimeProvider time,
    ILogger<PaymentRefundRequiredHandler> logger) : IEventHandler<PaymentRefundRequired>
{
    public async Task HandleAsync(PaymentRefundRequired @event, EventContext context, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking()
            .SingleOrDefaultAsync(p => p.Id == @event.PaymentId && p.Status == PaymentStatus.Succeeded, cancellationToken);
        if (payment is null)
        {
            return;
        }

        if (payment.Channel == Data.PaymentChannel.Sandbox)
        {
            await sandbox.RefundAsync(payment.Id, payment.AmountFen, cancellationToken);
        }

        var refunded = await db.Payments
            .Where(p => p.Id == payment.Id && p.Status == PaymentStatus.Succeeded)
            .ExecuteUpdateAsync(set => set
                .SetProperty(p => p.Status, PaymentStatus.Refunded)
                .SetProperty(p => p.SettledAt, time.GetUtcNow().UtcDateTime), cancellationToken);
        if (refunded == 1)
        {
            logger.LogInformation("Payment {PaymentId} for order {OrderId} refunded: {Reason}", @event.PaymentId, @event.OrderId, @event.Reason);
        }
    }
}
