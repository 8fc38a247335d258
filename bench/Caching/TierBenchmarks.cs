using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Dedao.Caching;
using StackExchange.Redis;

namespace Dedao.Bench.Caching;

/// <summary>A warm Get and a warm MultiGet of 20 keys on each tier alone and on the production stack (memory over Redis over the source).</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class TierBenchmarks
{
    private static readonly long[] Twenty = [.. Enumerable.Range(1, 20).Select(i => (long)i)];

    private IStorage<long, ColumnPage> _storage = null!;
    private ConnectionMultiplexer? _redis;
    private static readonly CacheMetrics Metrics = new();

    [Params("memory", "bytes", "redis", "memory>redis>source")]
    public string Tier { get; set; } = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var options = new StorageOptions();
        _redis = await ConnectionMultiplexer.ConnectAsync(Environment.GetEnvironmentVariable(RedisServer.Variable)
            ?? throw new InvalidOperationException($"{RedisServer.Variable} is not set: run through Program, which starts Redis."));
        var name = $"bench-{Guid.NewGuid():N}";
        var source = new LoaderStorage<long, ColumnPage>(name,
            (keys, _) => Task.FromResult<IReadOnlyDictionary<long, ColumnPage>>(keys.ToDictionary(k => k, ColumnPage.Sample)), options, Metrics);
        _storage = Tier switch
        {
            "memory" => new MemoryStorage<long, ColumnPage>(name, options, Metrics),
            "bytes" => new SerializedMemoryStorage<long, ColumnPage>(name, options, Metrics, JsonSerializerOptions.Web),
            "redis" => new RedisStorage<long, ColumnPage>(name, options, Metrics, _redis),
            _ => new StorageProxy<long, ColumnPage>(name, new MemoryStorage<long, ColumnPage>(name, options, Metrics),
                new StorageProxy<long, ColumnPage>(name, new RedisStorage<long, ColumnPage>(name, options, Metrics, _redis), source, options, Metrics),
                options, Metrics),
        };
        await _storage.MultiSetAsync([.. Twenty.Select(k => KeyValuePair.Create(k, ColumnPage.Sample(k)))]);
        await _storage.MultiGetAsync(Twenty);
    }

    [Benchmark]
    public ValueTask<ColumnPage?> Get() => _storage.GetAsync(7);

    [Benchmark]
    public ValueTask<IReadOnlyDictionary<long, ColumnPage>> MultiGet20() => _storage.MultiGetAsync(Twenty);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
