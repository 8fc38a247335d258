using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dedao.Caching;

/// <summary>
/// A table as the source: each query runs on a <typeparamref name="TContext"/> of its own scope, since the storage
/// outlives every request. The source generator writes the subclasses, one per <see cref="CachedTableAttribute{TContext}"/>.
/// </summary>
public abstract class TableStorage<TContext, TKey, TValue>(string name, IServiceScopeFactory scopes, StorageOptions options, CacheMetrics metrics)
    : SourceStorage<TKey, TValue>(name, options, metrics)
    where TContext : DbContext
    where TKey : notnull
    where TValue : class
{
    /// <summary>One query for all <paramref name="keys"/>: <c>WHERE key IN (...)</c>.</summary>
    protected abstract Task<IReadOnlyDictionary<TKey, TValue>> QueryAsync(TContext db, TKey[] keys, CancellationToken cancellationToken);

    protected sealed override async Task<IReadOnlyDictionary<TKey, TValue>> QueryAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await QueryAsync(scope.ServiceProvider.GetRequiredService<TContext>(), [.. keys], cancellationToken);
    }
}
