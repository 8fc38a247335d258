using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Dedao.Messaging;

/// <summary>
/// Saves an outbox row in a transaction it rolls back, so EF's first save (change detection, the batched insert, reading
/// back the generated key) is compiled before the service reports healthy, not in its first order, payment or comment.
/// The interceptor hands a rolled-back row to no one.
/// </summary>
internal sealed class OutboxWarmUp<TContext>(TContext db) : IWarmUp where TContext : DbContext
{
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Set<OutboxMessage>().Add(new OutboxMessage { MessageId = Guid.CreateVersion7(), EventName = "warm-up", Body = "{}" });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.RollbackAsync(cancellationToken);
        });
        db.ChangeTracker.Clear();
    }
}
