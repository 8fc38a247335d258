using Dedao.Order.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dedao.Order;

/// <summary>Cancels orders still pending at their <c>ExpiresAt</c>; a payment arriving later is refunded.</summary>
public sealed class OrderExpiry(IServiceScopeFactory scopes, TimeProvider time, IOptions<OrderOptions> options, ILogger<OrderExpiry> logger)
    : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryScanInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CancelExpiredAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is away: the next tick tries again, and nothing was half done.
                logger.LogWarning(e, "Could not cancel expired orders");
            }
        }
    }

    private async Task CancelExpiredAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var expired = await db.Orders.AsNoTracking()
            .Where(o => o.Status == OrderStatus.Pending && o.ExpiresAt <= now)
            .OrderBy(o => o.ExpiresAt)
            .Select(o => new { o.Id, o.UserId })
            .Take(Batch)
            .ToListAsync(cancellationToken);
        foreach (var order in expired)
        {
            if (await db.CancelAsync(order.Id, order.UserId, "expired", now, cancellationToken))
            {
                logger.LogInformation("Order {OrderId} expired unpaid and is cancelled", order.Id);
            }
        }
    }
}
