// FusionCache has single-flight and fail-safe per key only; a MultiGet needs them per batch, so the proxy has its own.
using System.Collections.Concurrent;

namespace Dedao.Caching;

/// <summary>
/// The seed's <c>StorageProxy { PreferredStorage, BackupStorage }</c>: reads go to <paramref name="preferred"/> and what it
/// lacks is read through from <paramref name="backup"/> and kept in <paramref name="preferred"/>, keys without a value
/// included (negative caching). Concurrent misses of a key share one backup read, and a MultiGet's misses are one read
/// (single flight). A failing <paramref name="preferred"/> is read past; a failing or slow <paramref name="backup"/> is
/// answered from stale copies when there are any (fail-safe). Writes go to <paramref name="backup"/> first, then to
/// <paramref name="preferred"/>, and a read through that began before a write never fills <paramref name="preferred"/>,
/// so no tier keeps a value older than the one behind it.
/// </summary>
public sealed class StorageProxy<TKey, TValue>(
    string name,
    ICacheTier<TKey, TValue> preferred,
    IStorage<TKey, TValue> backup,
    StorageOptions options,
    CacheMetrics metrics,
    TimeProvider? time = null) : IStorage<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<TKey, Task<IReadOnlyDictionary<TKey, TValue>>> _flights = new();

    /// <summary>Keys whose stale copy is served without asking the backup, until the timestamp: the fail-safe throttle.</summary>
    private readonly ConcurrentDictionary<TKey, long> _staleUntil = new();

    public ICacheTier<TKey, TValue> Preferred => preferred;

    public IStorage<TKey, TValue> Backup => backup;

    public async ValueTask<TValue?> GetAsync(TKey key, CancellationToken cancellationToken = default)
    {
        CacheHit<TValue>? held = null;
        try
        {
            held = await preferred.LookupAsync(key, cancellationToken);
        }
        catch (CacheTierUnavailableException)
        {
            // Counted by the tier; the backup answers instead.
        }

        if (held is { IsStale: false } fresh)
        {
            return fresh.Value;
        }

        if (held is { } throttled && IsThrottled(key))
        {
            metrics.StaleServed(name, 1);
            return throttled.Value;
        }

        var stale = held is { } copy ? new Dictionary<TKey, CacheHit<TValue>> { [key] = copy } : null;
        return (await LoadAsync([key], stale, cancellationToken)).GetValueOrDefault(key);
    }

    public async ValueTask<IReadOnlyDictionary<TKey, TValue>> MultiGetAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<TKey, CacheHit<TValue>> held = new Dictionary<TKey, CacheHit<TValue>>();
        try
        {
            held = await preferred.MultiLookupAsync(keys, cancellationToken);
        }
        catch (CacheTierUnavailableException)
        {
            // Counted by the tier; the backup answers instead.
        }

        var found = new Dictionary<TKey, TValue>(keys.Count);
        List<TKey>? missing = null;
        Dictionary<TKey, CacheHit<TValue>>? stale = null;
        foreach (var key in keys)
        {
            var known = held.TryGetValue(key, out var hit);
            if (known && (!hit.IsStale || IsThrottled(key)))
            {
                if (hit.IsStale)
                {
                    metrics.StaleServed(name, 1);
                }

                if (hit.Value is { } value)
                {
                    found[key] = value;
                }
            }
            else
            {
                (missing ??= []).Add(key);
                if (known)
                {
                    (stale ??= [])[key] = hit;
                }
            }
        }

        if (missing is not null)
        {
            foreach (var (key, value) in await LoadAsync(missing, stale, cancellationToken))
            {
                found[key] = value;
            }
        }

        return found;
    }

    public async ValueTask SetAsync(TKey key, TValue value, CancellationToken cancellationToken = default)
    {
        await backup.SetAsync(key, value, cancellationToken);
        _flights.TryRemove(key, out _);
        await CopyAsync(p => p.SetAsync(key, value, cancellationToken));
    }

    public async ValueTask<bool> AddAsync(TKey key, TValue value, CancellationToken cancellationToken = default)
    {
        if (!await backup.AddAsync(key, value, cancellationToken))
        {
            return false;
        }

        _flights.TryRemove(key, out _);
        await CopyAsync(p => p.SetAsync(key, value, cancellationToken));
        return true;
    }

    public async ValueTask MultiSetAsync(IReadOnlyCollection<KeyValuePair<TKey, TValue>> items, CancellationToken cancellationToken = default)
    {
        await backup.MultiSetAsync(items, cancellationToken);
        foreach (var item in items)
        {
            _flights.TryRemove(item.Key, out _);
        }

        await CopyAsync(p => p.MultiSetAsync(items, cancellationToken));
    }

    public async ValueTask DeleteAsync(params TKey[] keys)
    {
        await backup.DeleteAsync(keys);
        foreach (var key in keys)
        {
            _flights.TryRemove(key, out _);
        }

        await CopyAsync(p => p.DeleteAsync(keys));
    }

    /// <summary>Reads <paramref name="keys"/> from the backup, sharing the reads already under way, within the storage's timeouts.</summary>
    /// <param name="stale">The stale copies at hand: what is served when the backup fails or is slower than the fail-safe timeout.</param>
    private async Task<IReadOnlyDictionary<TKey, TValue>> LoadAsync(
        List<TKey> keys, Dictionary<TKey, CacheHit<TValue>>? stale, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<IReadOnlyDictionary<TKey, TValue>>(TaskCreationOptions.RunContinuationsAsynchronously);
        List<TKey>? own = null;
        var flights = new HashSet<Task<IReadOnlyDictionary<TKey, TValue>>>();
        foreach (var key in keys)
        {
            var flight = _flights.GetOrAdd(key, mine.Task);
            flights.Add(flight);
            if (flight == mine.Task)
            {
                (own ??= []).Add(key);
            }
        }

        if (own is not null)
        {
            // Shared by whoever joins it, so no caller's cancellation ends it; the load timeout does.
            _ = ReadThroughAsync(own, mine);
        }

        try
        {
            var timeout = stale is null ? options.LoadTimeout : options.FailSafeTimeout;
            await Task.WhenAll(flights).WaitAsync(timeout, _time, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && stale is not null && keys.All(stale.ContainsKey))
        {
            metrics.StaleServed(name, stale.Count);
            var until = _time.GetTimestamp() + (long)(options.FailSafeThrottleDuration.TotalSeconds * _time.TimestampFrequency);
            foreach (var key in keys)
            {
                _staleUntil[key] = until;
            }

            return stale.Where(s => s.Value.Value is not null).ToDictionary(s => s.Key, s => s.Value.Value!);
        }

        var loaded = new Dictionary<TKey, TValue>(keys.Count);
        foreach (var flight in flights)
        {
            foreach (var key in keys)
            {
                if (flight.Result.TryGetValue(key, out var value))
                {
                    loaded[key] = value;
                }
            }
        }

        return loaded;
    }

    private async Task ReadThroughAsync(List<TKey> keys, TaskCompletionSource<IReadOnlyDictionary<TKey, TValue>> flight)
    {
        try
        {
            var generation = preferred.Generation;
            using var timeout = new CancellationTokenSource(options.LoadTimeout, _time);
            var values = await backup.MultiGetAsync(keys, timeout.Token).AsTask().WaitAsync(options.LoadTimeout, _time);
            var absent = keys.Where(k => !values.ContainsKey(k)).ToList();
            await CopyAsync(p => p.FillAsync(values, absent, generation));
            foreach (var key in keys)
            {
                _staleUntil.TryRemove(key, out _);
            }

            flight.SetResult(values);
        }
        catch (Exception exception)
        {
            flight.SetException(exception);
        }
        finally
        {
            foreach (var key in keys)
            {
                _flights.TryRemove(KeyValuePair.Create(key, flight.Task));
            }
        }
    }

    private bool IsThrottled(TKey key) => _staleUntil.TryGetValue(key, out var until) && _time.GetTimestamp() < until;

    /// <summary>Copies are best effort: when the preferred tier fails (counted there), the backup still holds the truth.</summary>
    private async ValueTask CopyAsync(Func<ICacheTier<TKey, TValue>, ValueTask> write)
    {
        try
        {
            await write(preferred);
        }
        catch (CacheTierUnavailableException)
        {
        }
    }
}
