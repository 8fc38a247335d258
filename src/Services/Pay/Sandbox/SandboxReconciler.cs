using Dedao.Pay.Clients;
using Dedao.Pay.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dedao.Pay.Sandbox;

/// <summary>
/// Looks up at the provider the sandbox payments still pending after <see cref="SandboxOptions.ReconcileAfter"/>, and
/// settles each as its notice would have: a provider stops retrying a notice at last, and a merchant that was away all
/// that time would otherwise keep a paid payment pending, and cancel its order, for good. Every replica may run a round;
/// settling is a conditional update, so two rounds change a payment once.
/// </summary>
public sealed partial class SandboxReconciler(
    IServiceScopeFactory scopes, IOptions<SandboxOptions> options, TimeProvider time, ILogger<SandboxReconciler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The next round tries again: MySQL or the provider may be back by then.
                LogRoundFailed(logger, exception);
            }
        }
    }

    /// <summary>One round: the oldest pending payments within the window, each looked up and settled from the provider's record.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var (madeBefore, madeAfter) = (now - settings.ReconcileAfter, now - settings.ReconcileWithin);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayDbContext>();
        var sandbox = scope.ServiceProvider.GetRequiredService<SandboxClient>();
        var pending = await db.Payments.AsNoTracking()
            .Where(p => p.Status == PaymentStatus.Pending && p.Channel == PaymentChannel.Sandbox
                        && p.CreatedAt < madeBefore && p.CreatedAt > madeAfter)
            .OrderBy(p => p.CreatedAt)
            .Take(settings.ReconcileBatch)
            .ToListAsync(cancellationToken);
        foreach (var payment in pending)
        {
            if (await sandbox.FindChargeAsync(payment.Id, cancellationToken) is not { } charge)
            {
                continue;
            }

            if (charge.AmountFen != payment.AmountFen)
            {
                LogAmountMismatch(logger, payment.Id, charge.AmountFen, payment.AmountFen);
                continue;
            }

            var settled = charge.Result == "success"
                ? await db.SucceedAsync(payment, charge.TransactionId, now, cancellationToken)
                : await db.FailAsync(payment, "declined", charge.TransactionId, now, cancellationToken);
            if (settled)
            {
                LogReconciled(logger, payment.Id, charge.Result, charge.TransactionId);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Payment {PaymentId} settled from the provider's record, its notice having not come: {Result} ({TransactionId})")]
    private static partial void LogReconciled(ILogger logger, long paymentId, string result, string transactionId);

    [LoggerMessage(LogLevel.Error, "The provider's record of payment {PaymentId} is {ChargeAmountFen} fen, the payment {AmountFen} fen: left pending for someone to look at")]
    private static partial void LogAmountMismatch(ILogger logger, long paymentId, long chargeAmountFen, long amountFen);

    [LoggerMessage(LogLevel.Warning, "A reconciliation round with the payment provider failed; the next one tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
