using Dedao.Contracts;
using Dedao.Messaging;
using Dedao.Pay.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Pay.Events;

/// <summary>
/// Coin took coins for a coin payment. Pay settles it from coin's answer as a rule; this is for the payment whose answer
/// never arrived (pay's request ended, or pay died, after coin committed): it succeeds, once, as <see cref="PaymentSettlement"/>
/// says. A debit that matches no coin payment of ours is money taken for nothing: it fails, on to the dead letters.
/// </summary>
public sealed class CoinsDebitedHandler(PayDbContext db, TimeProvider time, ILogger<CoinsDebitedHandler> logger)
    : IEventHandler<CoinsDebited>
{
    public async Task HandleAsync(CoinsDebited @event, EventContext context, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking()
            .SingleOrDefaultAsync(p => p.Id == @event.PaymentId && p.UserId == @event.UserId && p.Channel == Data.PaymentChannel.Coin,
                cancellationToken);
        if (payment is null || CoinRate.CoinsFor(payment.AmountFen) != @event.Coins)
        {
            throw new InvalidOperationException(
                $"Coin debited {@event.Coins} coins for payment {@event.PaymentId} of user {@event.UserId}, which no coin payment here matches");
        }

        // The usual case: pay settled it from coin's answer before this arrived. Success is final, so there is nothing to lock.
        if (payment.Status is PaymentStatus.Succeeded or PaymentStatus.Refunded)
        {
            return;
        }

        if (await db.SucceedInTransactionAsync(payment, providerTransactionId: null, time.GetUtcNow().UtcDateTime, cancellationToken))
        {
            logger.LogWarning("Payment {PaymentId} settled from coin's debit: the request that asked for it ended before it could",
                payment.Id);
        }
    }
}
