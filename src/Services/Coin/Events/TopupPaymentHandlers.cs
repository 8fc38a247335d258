using Dedao.Coin.Data;
using Dedao.Contracts;
using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Coin.Events;

/// <summary>
/// A top-up's payment succeeded: its coins are credited, once (the top-up's status, then the ledger's unique cause), and only
/// for the top-up's own reader and amount. A success that matches no top-up is money taken for nothing: it fails, on to the
/// dead letters, for someone to look at.
/// </summary>
public sealed class PaymentSucceededHandler(CoinDbContext db, TimeProvider time) : IEventHandler<PaymentSucceeded>
{
    public static bool Wants(PaymentSucceeded @event) => @event.TopupId is not null;

    public async Task HandleAsync(PaymentSucceeded @event, EventContext context, CancellationToken cancellationToken)
    {
        var topupId = @event.TopupId!.Value;
        var now = time.GetUtcNow().UtcDateTime;
        // The payment id may be missing: coin saves it after pay's answer, and that save can be lost with its request.
        var credited = await db.Topups
            .Where(t => t.Id == topupId && t.UserId == @event.UserId && t.AmountFen == @event.AmountFen
                && (t.PaymentId == @event.PaymentId || t.PaymentId == null) && t.Status != TopupStatus.Credited)
            .ExecuteUpdateAsync(set => set
                .SetProperty(t => t.Status, TopupStatus.Credited)
                .SetProperty(t => t.PaymentId, @event.PaymentId)
                .SetProperty(t => t.CreditedAt, now), cancellationToken) == 1;
        if (!credited)
        {
            if (await db.Topups.AnyAsync(t => t.Id == topupId && t.PaymentId == @event.PaymentId && t.Status == TopupStatus.Credited,
                    cancellationToken))
            {
                return;
            }

            throw new InvalidOperationException(
                $"Payment {@event.PaymentId} of {@event.AmountFen} fen by user {@event.UserId} succeeded for top-up {topupId}, which it does not match");
        }

        var coins = await db.Topups.Where(t => t.Id == topupId).Select(t => t.Coins).SingleAsync(cancellationToken);
        var balance = await db.CreditAsync(@event.UserId, coins, LedgerReason.Topup, WalletLedger.TopupRef(topupId), now, cancellationToken);
        db.AddIntegrationEvent(new CoinsCredited(topupId, @event.UserId, coins, balance));
    }
}

/// <summary>A top-up's payment failed at the provider: the top-up is failed (a success notice after it still credits).</summary>
public sealed class PaymentFailedHandler(CoinDbContext db) : IEventHandler<PaymentFailed>
{
    public static bool Wants(PaymentFailed @event) => @event.TopupId is not null;

    public Task HandleAsync(PaymentFailed @event, EventContext context, CancellationToken cancellationToken) =>
        db.Topups
            .Where(t => t.Id == @event.TopupId && t.PaymentId == @event.PaymentId && t.Status == TopupStatus.Pending)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.Status, TopupStatus.Failed), cancellationToken);
}
