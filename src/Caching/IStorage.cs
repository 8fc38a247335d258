namespace Dedao.Caching;

/// <summary>
/// The seed's storage interface: one table's rows (or any keyed values) by key, whether the values live in process
/// memory, in Redis or in the table itself. Tiers implement it, and so does a <see cref="StorageProxy{TKey, TValue}"/>
/// composing two of them, so a caller never knows how many tiers stand behind it.
/// </summary>
public interface IStorage<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    /// <returns>The value, or null when the key has none.</returns>
    ValueTask<TValue?> GetAsync(TKey key, CancellationToken cancellationToken = default);

    /// <summary>Many keys in one round trip per tier; keys without a value are simply missing from the result.</summary>
    ValueTask<IReadOnlyDictionary<TKey, TValue>> MultiGetAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default);

    ValueTask SetAsync(TKey key, TValue value, CancellationToken cancellationToken = default);

    /// <returns>False when the key already had a value, which is kept.</returns>
    ValueTask<bool> AddAsync(TKey key, TValue value, CancellationToken cancellationToken = default);

    ValueTask MultiSetAsync(IReadOnlyCollection<KeyValuePair<TKey, TValue>> items, CancellationToken cancellationToken = default);

    ValueTask DeleteAsync(params TKey[] keys);
}
