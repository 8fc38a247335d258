using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dedao.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dedao.Caching.Tests;

/// <summary>The in-process tier: freshness, its bound, scan resistance, and what it counts.</summary>
[Collection(CachingServers.Name)]
public sealed class MemoryStorageTests(CachingServersFixture servers)
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_copy_goes_stale_after_its_duration_and_is_kept_for_the_fail_safe()
    {
        var options = new StorageOptions();
        var memory = new MemoryStorage<long, Note>("memory", options, servers.Metrics, _time);
        await memory.SetAsync(1, new Note("one"));

        _time.Advance(options.Duration - TimeSpan.FromTicks(1));
        Assert.Equal(new Note("one"), await memory.GetAsync(1));
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Null(await memory.GetAsync(1));
        Assert.Equal(new CacheHit<Note>(new Note("one"), true), await memory.LookupAsync(1));
    }

    [Fact]
    public async Task A_scan_of_keys_read_once_does_not_push_out_the_keys_read_often()
    {
        const int capacity = 200;
        var memory = new MemoryStorage<long, Note>("memory", new StorageOptions { MemoryCapacity = capacity }, servers.Metrics);
        long[] hot = [.. Enumerable.Range(1, capacity / 2).Select(i => (long)i)];
        await memory.MultiSetAsync([.. hot.Select(k => KeyValuePair.Create(k, new Note("hot")))]);

        // A crawler writes five times the capacity between two rounds of the pages everyone reads: under LRU no hot key would survive a burst.
        var scanned = 1_000L;
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                await memory.MultiGetAsync(hot);
            }

            for (var end = scanned + 5 * capacity; scanned < end; scanned++)
            {
                await memory.SetAsync(scanned, new Note("scanned"));
            }
        }

        await Poll.UntilAsync(() => Task.FromResult(memory.Count <= capacity), TimeSpan.FromSeconds(5), () => $"{memory.Count} entries held");
        var kept = (await memory.MultiGetAsync(hot)).Count;
        Assert.True(kept >= hot.Length * 9 / 10, $"Only {kept} of {hot.Length} frequently read keys survived the scan.");
    }

    [Fact]
    public async Task Hits_misses_loads_and_evictions_are_counted_per_storage_and_tier()
    {
        using var metrics = new CacheMetrics();
        var measured = new ConcurrentDictionary<(string Instrument, string? Cache, string? Tier), long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == CacheMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var all = tags.ToArray();
            string? Tag(string name) => all.FirstOrDefault(t => t.Key == name).Value as string;
            measured.AddOrUpdate((instrument.Name, Tag("cache"), Tag("tier")), value,
                (_, total) => instrument.Name == "dedao.cache.evictions" ? value : total + value);
        });
        listener.Start();
        var options = new StorageOptions { MemoryCapacity = 10 };
        var source = new CountingSource();
        source[1] = new Note("one");
        var memory = new MemoryStorage<long, Note>("metered", options, metrics, _time);
        var proxy = new StorageProxy<long, Note>("metered", memory, source.Storage(options, metrics, "metered"), options, metrics, _time);

        await proxy.GetAsync(1);
        await proxy.GetAsync(1);
        await memory.MultiSetAsync([.. Enumerable.Range(100, 100).Select(k => KeyValuePair.Create((long)k, new Note("filler")))]);
        await Poll.UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Task.FromResult(measured.GetValueOrDefault(("dedao.cache.evictions", "metered", "memory")) > 0);
        }, TimeSpan.FromSeconds(5), () => "an eviction to be counted");

        Assert.Equal(1, measured[("dedao.cache.hits", "metered", "memory")]);
        Assert.Equal(1, measured[("dedao.cache.misses", "metered", "memory")]);
        Assert.Equal(1, measured[("dedao.cache.loads", "metered", "source")]);
    }
}
