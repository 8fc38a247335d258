namespace Dedao.Caching;

/// <summary>
/// The last tier: the source of truth, read by key with one query for many keys. It is read-only here: the source's
/// owner writes it (and then deletes the copies through the proxy), so the writes of this tier change nothing.
/// At most <see cref="StorageOptions.MaxConcurrentLoads"/> queries run at once, so a cache outage cannot flood the database.
/// </summary>
// A SemaphoreSlim holds no handle until its AvailableWaitHandle is read, which this never does: nothing to dispose.
#pragma warning disable CA1001
public abstract class SourceStorage<TKey, TValue> : IStorage<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly SemaphoreSlim _gate;

    protected SourceStorage(string name, StorageOptions options, CacheMetrics metrics)
    {
        Name = name;
        Options = options;
        Metrics = metrics;
        _gate = new SemaphoreSlim(options.MaxConcurrentLoads);
    }

    public string Name { get; }

    protected StorageOptions Options { get; }

    protected CacheMetrics Metrics { get; }

    /// <returns>The values of the keys that have one.</returns>
    protected abstract Task<IReadOnlyDictionary<TKey, TValue>> QueryAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken);

    public async ValueTask<TValue?> GetAsync(TKey key, CancellationToken cancellationToken = default) =>
        (await MultiGetAsync([key], cancellationToken)).GetValueOrDefault(key);

    public async ValueTask<IReadOnlyDictionary<TKey, TValue>> MultiGetAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0)
        {
            return new Dictionary<TKey, TValue>();
        }

        if (!await _gate.WaitAsync(Options.LoadTimeout, cancellationToken))
        {
            Metrics.Error(Name, "source");
            throw new CacheTierUnavailableException($"The source of cache '{Name}' is busy with {Options.MaxConcurrentLoads} queries.");
        }

        try
        {
            Metrics.Load(Name);
            return await QueryAsync(keys, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask SetAsync(TKey key, TValue value, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask<bool> AddAsync(TKey key, TValue value, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    public ValueTask MultiSetAsync(IReadOnlyCollection<KeyValuePair<TKey, TValue>> items, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;

    public ValueTask DeleteAsync(params TKey[] keys) => ValueTask.CompletedTask;
}
#pragma warning restore CA1001
