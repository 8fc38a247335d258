using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Dedao.Messaging;

/// <summary>
/// Stamps new outbox rows with the time they are saved, and hands them to the relay once they are committed. The rows of
/// a transaction that rolls back, fails, or is never committed are never handed over.
/// </summary>
internal sealed class OutboxInterceptor(OutboxHandOff handOff, TimeProvider time) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Weakly keyed: a context dropped without a commit takes its uncommitted rows with it.
    private readonly ConditionalWeakTable<DbContext, UnitOfWork> _units = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Unit(eventData.Context)?.Saving.Clear();

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    // A pooled context may come back with the rows of a transaction it never ended; a new transaction is not theirs.
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Unit(eventData.Context)?.Uncommitted.Clear();
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        Unit(eventData.Context)?.Uncommitted.Clear();

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    // A commit that failed may have committed or not: its rows are left to the relay's poll, which finds them if they are there.
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        Unit(eventData.Context)?.Uncommitted.Clear();

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData,
        CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    private UnitOfWork? Unit(DbContext? context) => context is not null && _units.TryGetValue(context, out var unit) ? unit : null;

    private void Saving(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var unit = Unit(context);
        unit?.Saving.Clear();
        foreach (var entry in context.ChangeTracker.Entries<OutboxMessage>())
        {
            if (entry.State == EntityState.Added)
            {
                entry.Entity.CreatedAt = now;
                (unit ??= _units.GetOrCreateValue(context)).Saving.Add(entry.Entity);
            }
        }
    }

    // With no transaction of the caller's, SaveChanges has committed its own; otherwise the rows wait for the caller's commit.
    private void Saved(DbContext? context)
    {
        if (Unit(context) is not { Saving.Count: > 0 } unit)
        {
            return;
        }

        if (context!.Database.CurrentTransaction is null)
        {
            handOff.Hand(unit.Saving);
        }
        else
        {
            unit.Uncommitted.AddRange(unit.Saving);
        }

        unit.Saving.Clear();
    }

    private void Committed(DbContext? context)
    {
        if (Unit(context) is { Uncommitted.Count: > 0 } unit)
        {
            handOff.Hand(unit.Uncommitted);
            unit.Uncommitted.Clear();
        }
    }

    private sealed class UnitOfWork
    {
        /// <summary>The rows the SaveChanges under way inserts, with their ids once it is done.</summary>
        public List<OutboxMessage> Saving { get; } = [];

        /// <summary>The rows saved in the context's transaction, waiting for its commit.</summary>
        public List<OutboxMessage> Uncommitted { get; } = [];
    }
}
