namespace Dedao.Caching;

/// <summary>
/// A tier that keeps copies (process memory, Redis), as opposed to the source. Beyond <see cref="IStorage{TKey, TValue}"/>
/// it remembers that a key has no value (negative caching) and still shows a value past its freshness (fail-safe), so a
/// <see cref="StorageProxy{TKey, TValue}"/> in front of a failing source can serve it.
/// </summary>
public interface ICacheTier<TKey, TValue> : IStorage<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    /// <summary>Grows with every change and clear, here or on another replica; a load that began before must not fill the tier.</summary>
    long Generation { get; }

    /// <returns>Null when the tier knows nothing of the key.</returns>
    ValueTask<CacheHit<TValue>?> LookupAsync(TKey key, CancellationToken cancellationToken = default);

    /// <returns>What the tier knows of each key: a value, or the fact that there is none; unknown keys are missing.</returns>
    ValueTask<IReadOnlyDictionary<TKey, CacheHit<TValue>>> MultiLookupAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps what was just read from the source: the values, and (for the negative duration) the keys that have none.
    /// Unlike a set, it is no change, so nothing is broadcast; and it is dropped when the tier's <see cref="Generation"/>
    /// is no longer <paramref name="generation"/>, read before the source was asked, since what was read may be older than a delete.
    /// </summary>
    ValueTask FillAsync(IReadOnlyDictionary<TKey, TValue> values, IReadOnlyCollection<TKey> absent, long generation,
        CancellationToken cancellationToken = default);

    /// <summary>Forgets everything this tier holds for its storage (on every replica, for a shared tier or one with a backplane).</summary>
    ValueTask ClearAsync(CancellationToken cancellationToken = default);
}

/// <param name="Value">Null: the key is known to have no value.</param>
/// <param name="IsStale">Past its freshness: served only when the source fails.</param>
public readonly record struct CacheHit<TValue>(TValue? Value, bool IsStale)
    where TValue : class;
