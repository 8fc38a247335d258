using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Dedao.Caching;

/// <summary>
/// An in-process tier of serialized values, deserialized on every hit, as the seed's bigcache row was. Only for the
/// benchmark's <see cref="CacheMode.Bytes"/> row: it shows what keeping objects (<see cref="MemoryStorage{TKey, TValue}"/>) saves.
/// </summary>
public sealed class SerializedMemoryStorage<TKey, TValue>(
    string name, StorageOptions options, CacheMetrics metrics, JsonSerializerOptions json, TimeProvider? time = null, CacheBackplane? backplane = null)
    : ICacheTier<TKey, TValue>
    where TKey : notnull, IParsable<TKey>
    where TValue : class
{
    private readonly MemoryStorage<TKey, byte[]> _bytes = new(name, options, metrics, time, backplane);
    private readonly JsonTypeInfo<TValue> _json = (JsonTypeInfo<TValue>)json.GetTypeInfo(typeof(TValue));

    public long Generation => _bytes.Generation;

    public async ValueTask<CacheHit<TValue>?> LookupAsync(TKey key, CancellationToken cancellationToken = default) =>
        await _bytes.LookupAsync(key, cancellationToken) is { } hit ? Decode(hit) : null;

    public async ValueTask<IReadOnlyDictionary<TKey, CacheHit<TValue>>> MultiLookupAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default) =>
        (await _bytes.MultiLookupAsync(keys, cancellationToken)).ToDictionary(h => h.Key, h => Decode(h.Value));

    public async ValueTask<TValue?> GetAsync(TKey key, CancellationToken cancellationToken = default) =>
        await _bytes.GetAsync(key, cancellationToken) is { } bytes ? JsonSerializer.Deserialize(bytes, _json) : null;

    public async ValueTask<IReadOnlyDictionary<TKey, TValue>> MultiGetAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default) =>
        (await _bytes.MultiGetAsync(keys, cancellationToken)).ToDictionary(h => h.Key, h => JsonSerializer.Deserialize(h.Value, _json)!);

    public ValueTask SetAsync(TKey key, TValue value, CancellationToken cancellationToken = default) =>
        _bytes.SetAsync(key, Encode(value), cancellationToken);

    public ValueTask<bool> AddAsync(TKey key, TValue value, CancellationToken cancellationToken = default) =>
        _bytes.AddAsync(key, Encode(value), cancellationToken);

    public ValueTask MultiSetAsync(IReadOnlyCollection<KeyValuePair<TKey, TValue>> items, CancellationToken cancellationToken = default) =>
        _bytes.MultiSetAsync([.. items.Select(i => KeyValuePair.Create(i.Key, Encode(i.Value)))], cancellationToken);

    public ValueTask DeleteAsync(params TKey[] keys) => _bytes.DeleteAsync(keys);

    public ValueTask FillAsync(IReadOnlyDictionary<TKey, TValue> values, IReadOnlyCollection<TKey> absent, long generation,
        CancellationToken cancellationToken = default) =>
        _bytes.FillAsync(values.ToDictionary(v => v.Key, v => Encode(v.Value)), absent, generation, cancellationToken);

    public ValueTask ClearAsync(CancellationToken cancellationToken = default) => _bytes.ClearAsync(cancellationToken);

    private CacheHit<TValue> Decode(CacheHit<byte[]> hit) =>
        new(hit.Value is null ? null : JsonSerializer.Deserialize(hit.Value, _json), hit.IsStale);

    private byte[] Encode(TValue value) => JsonSerializer.SerializeToUtf8Bytes(value, _json);
}
