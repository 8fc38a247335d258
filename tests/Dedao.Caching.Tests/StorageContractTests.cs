using System.Text.Json;
using StackExchange.Redis;

namespace Dedao.Caching.Tests;

/// <summary>The seed's storage contract, held by each tier alone and by proxies composing them.</summary>
[Collection(CachingServers.Name)]
public sealed class StorageContractTests(CachingServersFixture servers) : IAsyncLifetime
{
    private readonly StorageOptions _options = new();
    private readonly CacheMetrics _metrics = servers.Metrics;
    private ConnectionMultiplexer? _redis;

    public static TheoryData<string> Storages => ["memory", "bytes", "redis", "memory > redis", "memory > redis > memory"];

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(servers.ConnectionString("redis"));

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Get_and_set_a_key(string composition)
    {
        var storage = Create(composition);

        Assert.Null(await storage.GetAsync(1));
        await storage.SetAsync(1, new Note("one"));
        Assert.Equal(new Note("one"), await storage.GetAsync(1));
        await storage.SetAsync(1, new Note("uno"));
        Assert.Equal(new Note("uno"), await storage.GetAsync(1));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Add_only_when_absent(string composition)
    {
        var storage = Create(composition);

        Assert.True(await storage.AddAsync(1, new Note("first")));
        Assert.False(await storage.AddAsync(1, new Note("second")));
        Assert.Equal(new Note("first"), await storage.GetAsync(1));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task MultiSet_then_MultiGet_leaves_absent_keys_out(string composition)
    {
        var storage = Create(composition);

        await storage.MultiSetAsync([new(1, new Note("a")), new(2, new Note("b")), new(3, new Note("c"))]);
        var found = await storage.MultiGetAsync([1, 2, 3, 4]);

        Assert.Equal(new Dictionary<long, Note> { [1] = new("a"), [2] = new("b"), [3] = new("c") }, found);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Delete_removes_the_keys_given(string composition)
    {
        var storage = Create(composition);
        await storage.MultiSetAsync([new(1, new Note("a")), new(2, new Note("b")), new(3, new Note("c"))]);

        await storage.DeleteAsync(1, 3);

        Assert.Equal([2L], (await storage.MultiGetAsync([1, 2, 3])).Keys);
        Assert.Null(await storage.GetAsync(1));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task A_remembered_absence_is_no_value_and_an_add_replaces_it(string composition)
    {
        var storage = Create(composition);
        var tier = storage as ICacheTier<long, Note> ?? ((StorageProxy<long, Note>)storage).Preferred;
        await tier.FillAsync(new Dictionary<long, Note>(), [7], tier.Generation);

        Assert.Equal(new CacheHit<Note>(null, false), await tier.LookupAsync(7));
        Assert.Null(await storage.GetAsync(7));
        Assert.True(await storage.AddAsync(7, new Note("seven")));
        Assert.Equal(new Note("seven"), await storage.GetAsync(7));
    }

    [Fact]
    public async Task A_fill_that_began_before_a_delete_is_dropped()
    {
        var memory = new MemoryStorage<long, Note>("contract", _options, _metrics);
        var before = memory.Generation;

        await memory.DeleteAsync(1);
        await memory.FillAsync(new Dictionary<long, Note> { [1] = new("read before the delete") }, [], before);

        Assert.Null(await memory.LookupAsync(1));
    }

    [Fact]
    public async Task A_replica_that_read_the_source_before_another_replicas_change_does_not_put_the_old_value_back_in_Redis()
    {
        // Two replicas: tiers of their own on the same Redis keys, over one source, as two column processes over MySQL.
        var name = $"contract-{Guid.NewGuid():N}";
        var row = new Note("old");
        var read = new TaskCompletionSource();
        var answer = new TaskCompletionSource();
        StorageProxy<long, Note> Replica() => new(name, new RedisStorage<long, Note>(name, _options, _metrics, _redis!),
            new LoaderStorage<long, Note>(name, async (keys, _) =>
            {
                // The row as it is now, answered later: a query that read before a commit and returns after it.
                var seen = row;
                read.TrySetResult();
                await answer.Task;
                return keys.ToDictionary(k => k, _ => seen);
            }, _options, _metrics), _options, _metrics);
        var writer = Replica();
        var reader = Replica();

        var slow = reader.GetAsync(1).AsTask();
        await read.Task.WaitAsync(TimeSpan.FromSeconds(10));
        row = new Note("new");
        await writer.DeleteAsync(1);
        answer.SetResult();

        // What it read before the change is its answer, but no copy of it may outlive the change.
        Assert.Equal(new Note("old"), await slow);
        Assert.Equal(new Note("new"), await writer.GetAsync(1));
        Assert.Equal(new Note("new"), await reader.GetAsync(1));
    }

    [Fact]
    public async Task After_a_failure_Redis_is_skipped_for_reads_but_still_takes_changes()
    {
        var name = $"contract-{Guid.NewGuid():N}";
        var redis = new RedisStorage<long, Note>(name, new StorageOptions { RedisRetryAfter = TimeSpan.FromHours(1) }, _metrics, _redis!);
        var db = _redis!.GetDatabase();
        await redis.SetAsync(1, new Note("one"));
        // A key of another type: Redis answers the read of it with an error.
        await db.HashSetAsync($"cache:{name}:2", "field", "value");

        await Assert.ThrowsAsync<CacheTierUnavailableException>(async () => await redis.LookupAsync(2));
        await Assert.ThrowsAsync<CacheTierUnavailableException>(async () => await redis.LookupAsync(1));

        // A change skipped would leave the old value for every replica to read until it expires.
        await redis.DeleteAsync(1);
        await redis.SetAsync(3, new Note("three"));
        Assert.False(await db.KeyExistsAsync($"cache:{name}:1"));
        Assert.True(await db.KeyExistsAsync($"cache:{name}:3"));
    }

    [Fact]
    public async Task Proxy_reads_through_and_keeps_what_it_read_in_the_preferred_tier()
    {
        var memory = new MemoryStorage<long, Note>("contract", _options, _metrics);
        var redis = Redis();
        await redis.SetAsync(5, new Note("five"));
        var proxy = new StorageProxy<long, Note>("contract", memory, redis, _options, _metrics);

        Assert.Equal(new Note("five"), await proxy.GetAsync(5));
        Assert.Equal(new Note("five"), await memory.GetAsync(5));
    }

    [Fact]
    public async Task Proxy_writes_reach_every_tier()
    {
        var memory = new MemoryStorage<long, Note>("contract", _options, _metrics);
        var redis = Redis();
        var proxy = new StorageProxy<long, Note>("contract", memory, redis, _options, _metrics);

        await proxy.SetAsync(1, new Note("one"));
        Assert.Equal(new Note("one"), await memory.GetAsync(1));
        Assert.Equal(new Note("one"), await redis.GetAsync(1));

        await proxy.DeleteAsync(1);
        Assert.Null(await memory.GetAsync(1));
        Assert.Null(await redis.GetAsync(1));
    }

    private IStorage<long, Note> Create(string composition) => composition switch
    {
        "memory" => new MemoryStorage<long, Note>("contract", _options, _metrics),
        "bytes" => new SerializedMemoryStorage<long, Note>("contract", _options, _metrics, JsonSerializerOptions.Web),
        "redis" => Redis(),
        "memory > redis" => new StorageProxy<long, Note>("contract", new MemoryStorage<long, Note>("contract", _options, _metrics), Redis(), _options, _metrics),
        "memory > redis > memory" => new StorageProxy<long, Note>("contract", new MemoryStorage<long, Note>("contract", _options, _metrics),
            new StorageProxy<long, Note>("contract", Redis(), new MemoryStorage<long, Note>("contract", _options, _metrics), _options, _metrics),
            _options, _metrics),
        _ => throw new ArgumentOutOfRangeException(nameof(composition), composition, null),
    };

    /// <summary>Under a name of its own, so no two tests share keys.</summary>
    private RedisStorage<long, Note> Redis() => new($"contract-{Guid.NewGuid():N}", _options, _metrics, _redis!);

    public async Task DisposeAsync()
    {
        await _redis!.DisposeAsync();
    }
}

public sealed record Note(string Text);
