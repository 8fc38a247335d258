using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Dedao.ServiceDefaults.Data;

/// <summary>
/// Reads one row of every table the context maps: EF's query pipeline, the SQL generator and each entity's
/// materializer and change tracking are compiled here instead of in a first request. Read-only and a row each, so
/// cheap on any database; the context goes back to its pool empty.
/// </summary>
internal sealed class DbContextWarmUp<TContext>(TContext db) : IWarmUp where TContext : DbContext
{
    private static readonly MethodInfo ReadOneOf = typeof(DbContextWarmUp<TContext>)
        .GetMethod(nameof(ReadOneAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var tables = db.Model.GetEntityTypes()
            .Where(entity => !entity.IsOwned() && !entity.HasSharedClrType && entity.GetTableName() is not null);
        foreach (var entity in tables)
        {
            await (Task)ReadOneOf.MakeGenericMethod(entity.ClrType).Invoke(null, [db, cancellationToken])!;
        }
    }

    private static async Task ReadOneAsync<TEntity>(DbContext db, CancellationToken cancellationToken) where TEntity : class =>
        await db.Set<TEntity>().Take(1).ToListAsync(cancellationToken);
}
