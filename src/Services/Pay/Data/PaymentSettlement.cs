using Microsoft.EntityFrameworkCore;

namespace Dedao.Pay.Data;

/// <summary>
/// The only ways a payment's status changes, each a conditional update, so a repeat or a race changes nothing: a payment
/// succeeds at most once, and success is final (a "fail" after it is ignored; a success after a fail is money taken, and
/// counts).
/// </summary>
public static class PaymentSettlement
{
    /// <summary>True when this call settled it; false when it had succeeded (or been refunded) before.</summary>
    public static async Task<bool> SucceedAsync(this PayDbContext db, long paymentId, string? providerTransactionId, DateTime now,
        CancellationToken cancellationToken) =>
        await db.Payments
            .Where(p => p.Id == paymentId && (p.Status == PaymentStatus.Pending || p.Status == PaymentStatus.Failed))
            .ExecuteUpdateAsync(set => set
                .SetProperty(p => p.Status, PaymentStatus.Succeeded)
                .SetProperty(p => p.SettledAt, now)
                .SetProperty(p => p.ProviderTransactionId, providerTransactionId), cancellationToken) == 1;

    /// <summary>True when this call failed it; a payment that is no longer pending stays as it is.</summary>
    public static async Task<bool> FailAsync(this PayDbContext db, long paymentId, DateTime now, CancellationToken cancellationToken) =>
        await db.Payments
            .Where(p => p.Id == paymentId && p.Status == PaymentStatus.Pending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(p => p.Status, PaymentStatus.Failed)
                .SetProperty(p => p.SettledAt, now), cancellationToken) == 1;
}
