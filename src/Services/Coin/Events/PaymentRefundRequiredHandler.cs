using Dedao.Coin.Data;
using Dedao.Contracts;
using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Coin.Events;

/// <summary>
/// A payment order will not use is refunded: when it was paid in coins (a purchase entry for it is in the ledger), the coins
/// go back to the wallet, once. Pay handles the same event for the payment's own status.
/// </summary>
public sealed class PaymentRefundRequiredHandler(CoinDbContext db, TimeProvider time) : IEventHandler<PaymentRefundRequired>
{
    public async Task HandleAsync(PaymentRefundRequired @event, EventContext context, CancellationToken cancellationToken)
    {
        var paymentRef = WalletLedger.PaymentRef(@event.PaymentId);
        var purchase = await db.Ledger.AsNoTracking()
            .SingleOrDefaultAsync(e => e.RefId == paymentRef && e.Reason == LedgerReason.Purchase, cancellationToken);
        if (purchase is null
            || await db.Ledger.AnyAsync(e => e.RefId == paymentRef && e.Reason == LedgerReason.Refund, cancellationToken))
        {
            return;
        }

        await db.CreditAsync(purchase.UserId, -purchase.Delta, LedgerReason.Refund, paymentRef, time.GetUtcNow().UtcDateTime, cancellationToken);
    }
}
