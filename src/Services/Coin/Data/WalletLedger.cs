using System.Data;
using Dedao.Contracts;
using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace Dedao.Coin.Data;

public enum DebitOutcome
{
    Debited,
    /// <summary>This payment was debited before: nothing more is taken.</summary>
    AlreadyDebited,
    InsufficientBalance,
    /// <summary>This payment's id was debited before, for another wallet or amount: nothing is taken, and that is no success.</summary>
    Conflict,
}

/// <summary>The only two ways a balance changes; each writes the wallet and its ledger entry in one transaction.</summary>
public static class WalletLedger
{
    /// <summary>
    /// Takes <paramref name="coins"/> for a payment, at most once per payment: a conditional update that no interleaving
    /// can take below zero, and the ledger entry, committed together. Read-committed, so that a concurrent debit of the same
    /// payment, committed while this one waited on the wallet's row lock, is seen. An earlier debit of the payment is its
    /// success only when it took the same coins from the same wallet: a payment id claimed first with a coin taken would
    /// otherwise pass for an order's price paid.
    /// </summary>
    public static Task<DebitOutcome> DebitAsync(this CoinDbContext db, Guid userId, long coins, long paymentId, DateTime now,
        CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            var paymentRef = PaymentRef(paymentId);
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            if (await EarlierDebitAsync(db, paymentRef, userId, coins, ct) is { } earlier)
            {
                return earlier;
            }

            var taken = await db.Wallets
                .Where(w => w.UserId == userId && w.Balance >= coins)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.Balance, w => w.Balance - coins), ct);
            if (taken == 0)
            {
                // A concurrent debit of this same payment may have spent the coins: that is its success, not a 402.
                return await EarlierDebitAsync(db, paymentRef, userId, coins, ct) ?? DebitOutcome.InsufficientBalance;
            }

            var balance = await AddEntryAsync(db, userId, -coins, LedgerReason.Purchase, paymentRef, now, ct);
            db.AddIntegrationEvent(new CoinsDebited(paymentId, userId, coins, balance));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.InnerException is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry })
            {
                // The same payment debited by a concurrent request that got there first: the rollback gives these coins back.
                return await EarlierDebitAsync(db, paymentRef, userId, coins, ct) ?? DebitOutcome.Conflict;
            }

            await transaction.CommitAsync(ct);
            return DebitOutcome.Debited;
        }, cancellationToken);

    /// <summary>
    /// Adds coins, inside the caller's transaction (an event handler's): the wallet is created by its first credit. The
    /// unique (refId, reason) makes a second credit for the same cause fail the whole transaction.
    /// </summary>
    public static async Task<long> CreditAsync(this CoinDbContext db, Guid userId, long coins, LedgerReason reason, string refId,
        DateTime now, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO Wallets (UserId, Balance) VALUES ({userId.ToString()}, {coins}) ON DUPLICATE KEY UPDATE Balance = Balance + {coins}",
            cancellationToken);
        return await AddEntryAsync(db, userId, coins, reason, refId, now, cancellationToken);
    }

    /// <summary>How a payment is named in the ledger's refId (its purchase, and its refund if any).</summary>
    public static string PaymentRef(long paymentId) => $"payment:{paymentId}";

    /// <summary>How a top-up is named in the ledger's refId.</summary>
    public static string TopupRef(long topupId) => $"topup:{topupId}";

    /// <returns>Null when the payment has no debit yet.</returns>
    private static async Task<DebitOutcome?> EarlierDebitAsync(CoinDbContext db, string paymentRef, Guid userId, long coins,
        CancellationToken cancellationToken)
    {
        var earlier = await db.Ledger.AsNoTracking()
            .Where(e => e.RefId == paymentRef && e.Reason == LedgerReason.Purchase)
            .Select(e => new { e.UserId, e.Delta })
            .SingleOrDefaultAsync(cancellationToken);
        return earlier is null ? null
            : earlier.UserId == userId && earlier.Delta == -coins ? DebitOutcome.AlreadyDebited
            : DebitOutcome.Conflict;
    }

    /// <summary>The entry after the wallet's update, whose row lock this transaction holds, so the balance read is its own.</summary>
    private static async Task<long> AddEntryAsync(CoinDbContext db, Guid userId, long delta, LedgerReason reason, string refId,
        DateTime now, CancellationToken cancellationToken)
    {
        var balance = await db.Wallets.Where(w => w.UserId == userId).Select(w => w.Balance).SingleAsync(cancellationToken);
        db.Ledger.Add(new LedgerEntry
        {
            UserId = userId, Delta = delta, Reason = reason, RefId = refId, BalanceAfter = balance, CreatedAt = now,
        });
        return balance;
    }
}
