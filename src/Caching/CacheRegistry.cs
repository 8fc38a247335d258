using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dedao.Caching;

/// <summary>Builds each registered storage's tiers for the configured <see cref="CacheMode"/>, and flushes them all on demand.</summary>
public sealed class CacheRegistry
{
    private readonly IServiceProvider _services;
    private readonly CacheMode _mode;
    private readonly IConnectionMultiplexer? _redis;
    private readonly CacheBackplane? _backplane;
    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task<List<Exception>>>> _flushes = new();

    public CacheRegistry(IServiceProvider services, IConfiguration configuration, ILoggerFactory loggers)
    {
        _services = services;
        _mode = configuration.GetValue("Caching:Mode", CacheMode.Objects);
        _redis = services.GetService<IConnectionMultiplexer>();
        _backplane = _redis is null ? null : new CacheBackplane(_redis, loggers.CreateLogger<CacheBackplane>());
    }

    /// <summary>The names of the storages built so far.</summary>
    public IReadOnlyCollection<string> Names => [.. _flushes.Keys];

    /// <summary>
    /// Drops every copy of every storage: in this process, on the other replicas (through the backplane), and in Redis.
    /// A tier that fails (Redis away) is reported once every other tier of every storage has been dropped.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var failures = new List<Exception>();
        foreach (var flush in _flushes.Values)
        {
            failures.AddRange(await flush(cancellationToken));
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Some cache tiers could not be flushed.", failures);
        }
    }

    public IStorage<TKey, TValue> Compose<TKey, TValue>(string name, Func<IServiceProvider, StorageOptions, SourceStorage<TKey, TValue>> source)
        where TKey : notnull, IParsable<TKey>
        where TValue : class
    {
        var options = _services.GetRequiredService<IOptionsMonitor<StorageOptions>>().Get(name);
        var metrics = _services.GetRequiredService<CacheMetrics>();
        var time = _services.GetRequiredService<TimeProvider>();
        IStorage<TKey, TValue> storage = source(_services, options);
        var tiers = new List<ICacheTier<TKey, TValue>>();

        if (_redis is not null && _mode != CacheMode.None)
        {
            var redis = new RedisStorage<TKey, TValue>(name, options, metrics, _redis, time: time);
            storage = new StorageProxy<TKey, TValue>(name, redis, storage, options, metrics, time);
            tiers.Add(redis);
        }

        ICacheTier<TKey, TValue>? memory = _mode switch
        {
            CacheMode.Objects => new MemoryStorage<TKey, TValue>(name, options, metrics, time, _backplane),
            CacheMode.Bytes => new SerializedMemoryStorage<TKey, TValue>(name, options, metrics, JsonSerializerOptions.Web, time, _backplane),
            _ => null,
        };
        if (memory is not null)
        {
            storage = new StorageProxy<TKey, TValue>(name, memory, storage, options, metrics, time);
            tiers.Add(memory);
        }

        _flushes[name] = async cancellationToken =>
        {
            var failures = new List<Exception>();
            foreach (var tier in tiers)
            {
                try
                {
                    await tier.ClearAsync(cancellationToken);
                }
                catch (CacheTierUnavailableException exception)
                {
                    failures.Add(exception);
                }
            }

            return failures;
        };
        return storage;
    }
}
