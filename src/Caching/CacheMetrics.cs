using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dedao.Caching;

/// <summary>Hits, misses, stale serves, loads, errors and evictions per storage and tier, on the meter <c>Dedao.Caching</c>.</summary>
public sealed class CacheMetrics : IDisposable
{
    public const string MeterName = "Dedao.Caching";

    private readonly Meter _meter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _stale;
    private readonly Counter<long> _loads;
    private readonly Counter<long> _errors;
    private readonly ConcurrentDictionary<(string Storage, string Tier), Func<long>> _evictions = new();

    public CacheMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _hits = _meter.CreateCounter<long>("dedao.cache.hits", "{key}", "Keys found fresh in a tier.");
        _misses = _meter.CreateCounter<long>("dedao.cache.misses", "{key}", "Keys a tier did not have fresh.");
        _stale = _meter.CreateCounter<long>("dedao.cache.stale_served", "{key}", "Stale copies served because the source failed or was slow.");
        _loads = _meter.CreateCounter<long>("dedao.cache.loads", "{query}", "Queries run on the source.");
        _errors = _meter.CreateCounter<long>("dedao.cache.errors", "{error}", "Failed tier operations, each answered without the tier.");
        _meter.CreateObservableCounter("dedao.cache.evictions", ObserveEvictions, "{entry}", "Entries the in-process tier evicted to stay within its capacity.");
    }

    public void Hit(string storage, string tier, long count = 1) => Add(_hits, count, storage, tier);

    public void Miss(string storage, string tier, long count = 1) => Add(_misses, count, storage, tier);

    public void StaleServed(string storage, long count) => Add(_stale, count, storage, "proxy");

    public void Load(string storage) => Add(_loads, 1, storage, "source");

    public void Error(string storage, string tier) => Add(_errors, 1, storage, tier);

    public void TrackEvictions(string storage, string tier, Func<long> evicted) => _evictions[(storage, tier)] = evicted;

    private static void Add(Counter<long> counter, long count, string storage, string tier)
    {
        if (count > 0 && counter.Enabled)
        {
            counter.Add(count, new TagList { { "cache", storage }, { "tier", tier } });
        }
    }

    private IEnumerable<Measurement<long>> ObserveEvictions() =>
        _evictions.Select(e => new Measurement<long>(e.Value(), new TagList { { "cache", e.Key.Storage }, { "tier", e.Key.Tier } }));

    public void Dispose() => _meter.Dispose();
}
