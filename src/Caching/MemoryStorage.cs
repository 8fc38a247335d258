// FusionCache and HybridCache keep L1 in IMemoryCache, whose compaction is not scan resistant; this tier is BitFaster's W-TinyLFU instead.
using System.Globalization;
using BitFaster.Caching;
using BitFaster.Caching.Lfu;

namespace Dedao.Caching;

/// <summary>
/// L1: the values themselves in process memory, never serialized, so a hit costs a lookup. At most
/// <see cref="StorageOptions.MemoryCapacity"/> entries, evicted by W-TinyLFU, which keeps a frequently read key over a
/// scan of keys read once. An entry outlives its freshness (until <see cref="StorageOptions.FailSafeMaxDuration"/>)
/// so it can be served while the source fails; a change here is broadcast so other replicas drop their copies.
/// </summary>
public sealed class MemoryStorage<TKey, TValue> : ICacheTier<TKey, TValue>
    where TKey : notnull, IParsable<TKey>
    where TValue : class
{
    private const string Tier = "memory";

    private readonly string _name;
    private readonly StorageOptions _options;
    private readonly CacheMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly CacheBackplane? _backplane;
    private readonly ICache<TKey, Entry> _cache;
    private long _generation;

    public MemoryStorage(string name, StorageOptions options, CacheMetrics metrics, TimeProvider? time = null, CacheBackplane? backplane = null)
    {
        _name = name;
        _options = options;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _backplane = backplane;
        _cache = new ConcurrentLfuBuilder<TKey, Entry>()
            .WithCapacity(options.MemoryCapacity)
            .WithExpireAfter(new EntryLifetime())
            .Build();
        metrics.TrackEvictions(name, Tier, () => _cache.Metrics.HasValue ? _cache.Metrics.Value!.Evicted : 0);
        backplane?.Subscribe(name, OnInvalidated);
    }

    public long Generation => Volatile.Read(ref _generation);

    /// <summary>How many entries are held now.</summary>
    public int Count => _cache.Count;

    public ValueTask<CacheHit<TValue>?> LookupAsync(TKey key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Lookup(key));

    public ValueTask<IReadOnlyDictionary<TKey, CacheHit<TValue>>> MultiLookupAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default)
    {
        var now = _time.GetTimestamp();
        var hits = new Dictionary<TKey, CacheHit<TValue>>(keys.Count);
        var fresh = 0;
        foreach (var key in keys)
        {
            if (_cache.TryGet(key, out var entry))
            {
                var hit = entry.ToHit(now);
                hits[key] = hit;
                fresh += hit.IsStale ? 0 : 1;
            }
        }

        _metrics.Hit(_name, Tier, fresh);
        _metrics.Miss(_name, Tier, keys.Count - fresh);
        return ValueTask.FromResult<IReadOnlyDictionary<TKey, CacheHit<TValue>>>(hits);
    }

    public ValueTask<TValue?> GetAsync(TKey key, CancellationToken cancellationToken = default)
    {
        return ValueTask.FromResult(Lookup(key) is { IsStale: false } fresh ? fresh.Value : null);
    }

    public async ValueTask<IReadOnlyDictionary<TKey, TValue>> MultiGetAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default)
    {
        var hits = await MultiLookupAsync(keys, cancellationToken);
        return hits.Where(h => h.Value is { IsStale: false, Value: not null })
            .ToDictionary(h => h.Key, h => h.Value.Value!);
    }

    public ValueTask SetAsync(TKey key, TValue value, CancellationToken cancellationToken = default)
    {
        _cache.AddOrUpdate(key, Fresh(value));
        return Changed([key]);
    }

    public ValueTask<bool> AddAsync(TKey key, TValue value, CancellationToken cancellationToken = default)
    {
        var entry = Fresh(value);
        var held = _cache.GetOrAdd(key, static (_, e) => e, entry);
        if (ReferenceEquals(held, entry))
        {
            return AddedAsync(key);
        }

        // A remembered absence or a stale copy is no value: the add replaces it.
        if (held.ToHit(_time.GetTimestamp()) is { Value: not null, IsStale: false })
        {
            return ValueTask.FromResult(false);
        }

        _cache.AddOrUpdate(key, entry);
        return AddedAsync(key);
    }

    public ValueTask MultiSetAsync(IReadOnlyCollection<KeyValuePair<TKey, TValue>> items, CancellationToken cancellationToken = default)
    {
        foreach (var (key, value) in items)
        {
            _cache.AddOrUpdate(key, Fresh(value));
        }

        return Changed(items.Select(i => i.Key));
    }

    public ValueTask DeleteAsync(params TKey[] keys)
    {
        Remove(keys);
        return Changed(keys);
    }

    public ValueTask FillAsync(IReadOnlyDictionary<TKey, TValue> values, IReadOnlyCollection<TKey> absent, long generation,
        CancellationToken cancellationToken = default)
    {
        if (Generation != generation)
        {
            return ValueTask.CompletedTask;
        }

        foreach (var (key, value) in values)
        {
            _cache.AddOrUpdate(key, Fresh(value));
        }

        var now = _time.GetTimestamp();
        foreach (var key in absent)
        {
            _cache.AddOrUpdate(key, new Entry(null, now + Ticks(_options.NegativeDuration), _options.NegativeDuration));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _generation);
        _cache.Clear();
        return _backplane?.PublishAsync(_name, null) ?? ValueTask.CompletedTask;
    }

    private void OnInvalidated(IReadOnlyList<string>? keys)
    {
        if (keys is null)
        {
            Interlocked.Increment(ref _generation);
            _cache.Clear();
            return;
        }

        Remove(keys.Select(k => TKey.Parse(k, CultureInfo.InvariantCulture)));
    }

    private void Remove(IEnumerable<TKey> keys)
    {
        Interlocked.Increment(ref _generation);
        foreach (var key in keys)
        {
            _cache.TryRemove(key);
        }
    }

    private async ValueTask<bool> AddedAsync(TKey key)
    {
        await Changed([key]);
        return true;
    }

    private ValueTask Changed(IEnumerable<TKey> keys) =>
        _backplane?.PublishAsync(_name, keys.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k}"))) ?? ValueTask.CompletedTask;

    private CacheHit<TValue>? Lookup(TKey key)
    {
        if (_cache.TryGet(key, out var entry) && entry.ToHit(_time.GetTimestamp()) is { IsStale: false } hit)
        {
            _metrics.Hit(_name, Tier);
            return hit;
        }

        _metrics.Miss(_name, Tier);
        return entry?.ToHit(_time.GetTimestamp());
    }

    private Entry Fresh(TValue value) => new(value, _time.GetTimestamp() + Ticks(_options.Duration), _options.FailSafeMaxDuration);

    private long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * _time.TimestampFrequency);

    /// <param name="Value">Null: the key has no value.</param>
    /// <param name="FreshUntil">In <see cref="TimeProvider.GetTimestamp"/> units.</param>
    /// <param name="Lifetime">How long the entry stays at all, fresh or stale.</param>
    private sealed record Entry(TValue? Value, long FreshUntil, TimeSpan Lifetime)
    {
        public CacheHit<TValue> ToHit(long now) => new(Value, now >= FreshUntil);
    }

    private sealed class EntryLifetime : IExpiryCalculator<TKey, Entry>
    {
        public Duration GetExpireAfterCreate(TKey key, Entry value) => Duration.FromTimeSpan(value.Lifetime);

        public Duration GetExpireAfterRead(TKey key, Entry value, Duration current) => current;

        public Duration GetExpireAfterUpdate(TKey key, Entry value, Duration current) => Duration.FromTimeSpan(value.Lifetime);
    }
}
