namespace Dedao.Caching;

/// <summary>A source read through a function: any keyed data that is not one EF table (a projection, a remote call, a test's data).</summary>
public sealed class LoaderStorage<TKey, TValue>(
    string name,
    Func<IReadOnlyCollection<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> load,
    StorageOptions options,
    CacheMetrics metrics)
    : SourceStorage<TKey, TValue>(name, options, metrics)
    where TKey : notnull
    where TValue : class
{
    protected override Task<IReadOnlyDictionary<TKey, TValue>> QueryAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken) =>
        load(keys, cancellationToken);
}
