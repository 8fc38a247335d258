using Dedao.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dedao.Caching.Tests;

/// <summary>Read-through, single flight, negative caching and fail-safe of a proxy of process memory over a source.</summary>
[Collection(CachingServers.Name)]
public sealed class StorageProxyTests(CachingServersFixture servers)
{
    private readonly FakeTimeProvider _time = new();
    private readonly StorageOptions _options = new();
    private readonly CountingSource _source = new();

    [Fact]
    public async Task A_thousand_concurrent_misses_of_a_key_are_one_query()
    {
        _source[1] = new Note("one");
        var proxy = Proxy();
        _source.Hold();

        var readers = Enumerable.Range(0, 1000).Select(_ => proxy.GetAsync(1).AsTask()).ToList();
        _source.Release();
        var values = await Task.WhenAll(readers);

        Assert.All(values, v => Assert.Equal(new Note("one"), v));
        Assert.Single(_source.Queries);
    }

    [Fact]
    public async Task A_MultiGet_of_twenty_misses_is_one_query_and_then_none()
    {
        Seed(1, 20);
        var proxy = Proxy();

        Assert.Equal(20, (await proxy.MultiGetAsync([.. Keys(1, 20)])).Count);
        Assert.Equal(20, (await proxy.MultiGetAsync([.. Keys(1, 20)])).Count);

        Assert.Equal(Keys(1, 20), Assert.Single(_source.Queries).Order());
    }

    [Fact]
    public async Task Overlapping_MultiGets_query_each_key_once()
    {
        Seed(1, 30);
        var proxy = Proxy();
        _source.Hold();

        var first = proxy.MultiGetAsync([.. Keys(1, 20)]).AsTask();
        var second = proxy.MultiGetAsync([.. Keys(10, 30)]).AsTask();
        _source.Release();

        Assert.Equal(20, (await first).Count);
        Assert.Equal(21, (await second).Count);
        Assert.Equal(Keys(1, 30), _source.Queries.SelectMany(q => q).Order());
    }

    [Fact]
    public async Task A_flood_of_absent_keys_queries_once_until_the_absence_expires()
    {
        var proxy = Proxy();
        var random = Keys(1_000_000, 1_000_999);

        Assert.Empty(await proxy.MultiGetAsync(random));
        foreach (var key in random)
        {
            Assert.Null(await proxy.GetAsync(key));
        }

        Assert.Single(_source.Queries);
        _time.Advance(_options.NegativeDuration);
        Assert.Null(await proxy.GetAsync(random[0]));
        Assert.Equal(2, _source.Queries.Count);
    }

    [Fact]
    public async Task A_failing_source_is_answered_with_the_stale_copy_and_without_one_fails()
    {
        _source[1] = new Note("one");
        var proxy = Proxy();
        Assert.Equal(new Note("one"), await proxy.GetAsync(1));
        _time.Advance(_options.Duration);
        _source.Failure = new InvalidOperationException("the database is down");

        Assert.Equal(new Note("one"), await proxy.GetAsync(1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.GetAsync(2).AsTask());
    }

    [Fact]
    public async Task A_frozen_source_is_answered_with_the_stale_copy_after_the_fail_safe_timeout_and_the_reload_completes_later()
    {
        _source[1] = new Note("old");
        var proxy = Proxy();
        await proxy.GetAsync(1);
        _time.Advance(_options.Duration);
        _source[1] = new Note("new");
        _source.Hold();

        var read = proxy.GetAsync(1).AsTask();
        await Poll.UntilAsync(() => Task.FromResult(_source.Running == 1), TimeSpan.FromSeconds(5), () => "the reload to start");
        Assert.False(read.IsCompleted);
        _time.Advance(_options.FailSafeTimeout);

        Assert.Equal(new Note("old"), await read);
        _source.Release();
        await Poll.UntilAsync(async () => await proxy.GetAsync(1) == new Note("new"), TimeSpan.FromSeconds(5), () => "the reload to fill the cache");
        Assert.Equal(2, _source.Queries.Count);
    }

    [Fact]
    public async Task Once_a_stale_copy_was_served_it_is_served_at_once_for_the_throttle_and_then_the_source_is_asked_again()
    {
        _source[1] = new Note("old");
        _source[2] = new Note("two");
        var proxy = Proxy();
        await proxy.MultiGetAsync([1, 2]);
        _time.Advance(_options.Duration);
        _source.Failure = new InvalidOperationException("the database is down");

        Assert.Equal(new Note("old"), await proxy.GetAsync(1));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(new Note("old"), await proxy.GetAsync(1));
            Assert.Equal(new Note("old"), (await proxy.MultiGetAsync([1]))[1]);
        }

        // The first load and the one that failed, nothing since.
        Assert.Equal(2, _source.Queries.Count);

        // Key 2 was not served stale yet: the source is asked for it alone, and its stale copy answers.
        var both = await proxy.MultiGetAsync([1, 2]);
        Assert.Equal([new Note("old"), new Note("two")], [both[1], both[2]]);
        Assert.Equal([2L], _source.Queries.Last());

        _time.Advance(_options.FailSafeThrottleDuration);
        _source.Failure = null;
        _source[1] = new Note("new");
        Assert.Equal(new Note("new"), await proxy.GetAsync(1));
    }

    [Fact]
    public async Task The_source_runs_at_most_its_cap_of_queries_at_once()
    {
        Seed(1, 50);
        _options.MaxConcurrentLoads = 4;
        var proxy = Proxy(TimeProvider.System);
        _source.Hold();

        var readers = Keys(1, 50).Select(k => proxy.GetAsync(k).AsTask()).ToList();
        await Poll.UntilAsync(() => Task.FromResult(_source.Running == 4), TimeSpan.FromSeconds(5), () => $"{_source.Running} queries running");
        _source.Release();

        Assert.All(await Task.WhenAll(readers), Assert.NotNull);
        Assert.Equal(4, _source.MaxRunning);
    }

    [Fact]
    public async Task A_read_through_that_began_before_a_delete_does_not_keep_what_it_read()
    {
        _source[1] = new Note("old");
        var proxy = Proxy();
        _source.Hold();

        var read = proxy.GetAsync(1).AsTask();
        _source[1] = new Note("new");
        await proxy.DeleteAsync(1);
        _source.Release();
        await read;

        Assert.Equal(new Note("new"), await proxy.GetAsync(1));
    }

    private StorageProxy<long, Note> Proxy(TimeProvider? time = null)
    {
        time ??= _time;
        return new("test", new MemoryStorage<long, Note>("test", _options, servers.Metrics, time), _source.Storage(_options, servers.Metrics),
            _options, servers.Metrics, time);
    }

    private void Seed(long from, long to)
    {
        foreach (var key in Keys(from, to))
        {
            _source[key] = new Note($"note {key}");
        }
    }

    private static long[] Keys(long from, long to) => [.. Enumerable.Range(0, (int)(to - from + 1)).Select(i => from + i)];
}
