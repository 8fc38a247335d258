using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Dedao.ServiceDefaults.Data;

/// <summary>
/// EF wraps every <c>SaveChanges</c> inside an explicit transaction in a savepoint, two more round trips each (about 14 of
/// a purchase's 101 statements), so that a failed save could be undone while the transaction goes on. Nothing here goes
/// on after a failed save: the transaction is rolled back and the work tried again whole. So transactions go without them.
/// </summary>
internal sealed class NoSavepointsInterceptor : DbTransactionInterceptor
{
    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        WithoutSavepoints(eventData);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData,
        DbTransaction result, CancellationToken cancellationToken = default)
    {
        WithoutSavepoints(eventData);
        return ValueTask.FromResult(result);
    }

    private static void WithoutSavepoints(TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            context.Database.AutoSavepointsEnabled = false;
        }
    }
}
