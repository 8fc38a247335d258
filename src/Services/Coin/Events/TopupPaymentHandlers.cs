using Dedao.Coin.Data;
using Dedao.Contracts;
using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Coin.Events;

/// <summary>A top-up's payment succeeded: its coins are credited, once (the top-up's status, then the ledger's unique cause).</summary>
public sealed class PaymentSucceededHandler(CoinDbContext db, TimeProvider time) : IEventHandler<PaymentSucceeded>
{
    public static bool Wants(PaymentSucceeded @event) => @event.TopupId is not null;

    public async Task HandleAsync(PaymentSucceeded @event, EventContext context, CancellationToken cancellationToken)
    {
        var topupId = @event.TopupId!.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var credited = await db.Topups
            .Where(t => t.Id == topupId && t.PaymentId == @event.PaymentId && t.UserId == @event.UserId && t.Status != TopupStatus.Credited)
            .ExecuteUpdateAsync(set => set
                .SetProperty(t => t.Status, TopupStatus.Credited)
                .SetProperty(t => t.CreditedAt, now), cancellationToken) == 1;
        if (!credited)
        {
            return;
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
