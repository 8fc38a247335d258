using Dedao.Contracts;
using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Pay.Data;

/// <summary>
/// The only ways a payment is settled, each a conditional update committed with its event, so a repeat or a race changes
/// nothing: a payment succeeds at most once, and success is final (a "fail" after it is ignored; a success after a fail is
/// money taken, and counts).
/// </summary>
public static class PaymentSettlement
{
    /// <summary>True when this call settled it and published <c>payment.succeeded</c>; false when it had succeeded before.</summary>
    public static Task<bool> SucceedAsync(this PayDbContext db, Payment payment, string? providerTransactionId, DateTime now,
        CancellationToken cancellationToken) =>
        db.InTransactionAsync(ct => db.SucceedInTransactionAsync(payment, providerTransactionId, now, ct), cancellationToken);

    /// <summary>As <see cref="SucceedAsync"/>, inside the caller's transaction (an event handler's), which commits it.</summary>
    public static Task<bool> SucceedInTransactionAsync(this PayDbContext db, Payment payment, string? providerTransactionId, DateTime now,
        CancellationToken cancellationToken) =>
        db.SettleAsync(
            db.Payments.Where(p => p.Id == payment.Id && (p.Status == PaymentStatus.Pending || p.Status == PaymentStatus.Failed)),
            PaymentStatus.Succeeded, providerTransactionId, now,
            new PaymentSucceeded(payment.Id, payment.OrderId, payment.TopupId, payment.UserId, payment.Channel.ToContract(), payment.AmountFen),
            cancellationToken);

    /// <summary>True when this call failed it and published <c>payment.failed</c>; a payment no longer pending stays as it is.</summary>
    public static Task<bool> FailAsync(this PayDbContext db, Payment payment, string reason, string? providerTransactionId, DateTime now,
        CancellationToken cancellationToken) =>
        db.InTransactionAsync(ct => db.SettleAsync(
            db.Payments.Where(p => p.Id == payment.Id && p.Status == PaymentStatus.Pending),
            PaymentStatus.Failed, providerTransactionId, now,
            new PaymentFailed(payment.Id, payment.OrderId, payment.TopupId, payment.UserId, payment.Channel.ToContract(), reason),
            ct), cancellationToken);

    private static Task<bool> InTransactionAsync(this PayDbContext db, Func<CancellationToken, Task<bool>> settle,
        CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var settled = await settle(ct);
            await transaction.CommitAsync(ct);
            return settled;
        }, cancellationToken);

    private static async Task<bool> SettleAsync<TEvent>(this PayDbContext db, IQueryable<Payment> settleable, PaymentStatus status,
        string? providerTransactionId, DateTime now, TEvent @event, CancellationToken cancellationToken) where TEvent : IIntegrationEvent
    {
        var settled = await settleable.ExecuteUpdateAsync(set => set
            .SetProperty(p => p.Status, status)
            .SetProperty(p => p.SettledAt, now)
            .SetProperty(p => p.ProviderTransactionId, providerTransactionId), cancellationToken) == 1;
        if (settled)
        {
            db.AddIntegrationEvent(@event);
            await db.SaveChangesAsync(cancellationToken);
        }

        return settled;
    }

    public static Contracts.PaymentChannel ToContract(this PaymentChannel channel) => channel switch
    {
        PaymentChannel.Coin => Contracts.PaymentChannel.Coin,
        _ => Contracts.PaymentChannel.Sandbox,
    };
}
