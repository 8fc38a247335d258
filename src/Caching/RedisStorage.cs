// FusionCache's and HybridCache's L2 is IDistributedCache, which reads one key per round trip; this tier reads many with one MGET.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using StackExchange.Redis;

namespace Dedao.Caching;

/// <summary>
/// L2: JSON copies in Redis, shared by every replica, under <c>cache:&lt;storage&gt;:&lt;key&gt;</c>. Many keys are read
/// with one MGET and written in one pipelined batch; each entry lives its duration plus a random jitter, and an empty
/// string marks a key known to have no value. Every change first counts up <c>cache-generation:&lt;storage&gt;</c>, which
/// each read also fetches; a fill is written only if the count is still the one read before the source was asked, so
/// a replica that read the source before another replica's change cannot put the old value back after it. After a
/// failure Redis is skipped for <see cref="StorageOptions.RedisRetryAfter"/>, so a dead or frozen Redis costs one
/// <see cref="StorageOptions.RedisTimeout"/>, not one per request; changes are tried still.
/// </summary>
public sealed class RedisStorage<TKey, TValue> : ICacheTier<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private const string Tier = "redis";

    // An absence must not overwrite a value; anything else may be replaced.
    private static readonly LuaScript AddScript = LuaScript.Prepare(
        "local held = redis.call('GET', @key) " +
        "if held and held ~= '' then return 0 end " +
        "redis.call('INCR', @generation) " +
        "redis.call('SET', @key, @value, 'PX', @ttl) return 1");

    // KEYS: the generation, then the entries; ARGV: the generation read before the source was asked, then each entry's
    // value and lifetime in milliseconds.
    private const string FillScript =
        "if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end " +
        "for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[2 * i - 2], 'PX', ARGV[2 * i - 1]) end " +
        "return 1";

    private readonly string _name;
    private readonly string _prefix;
    private readonly RedisKey _generationKey;
    private readonly StorageOptions _options;
    private readonly CacheMetrics _metrics;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly JsonTypeInfo<TValue> _json;
    private long _generation;
    private long _skipUntil;

    public RedisStorage(string name, StorageOptions options, CacheMetrics metrics, IConnectionMultiplexer redis,
        JsonSerializerOptions? json = null, TimeProvider? time = null)
    {
        _name = name;
        _prefix = $"cache:{name}:";
        _generationKey = $"cache-generation:{name}";
        _options = options;
        _metrics = metrics;
        _redis = redis;
        _time = time ?? TimeProvider.System;
        _json = (JsonTypeInfo<TValue>)(json ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(TValue));
    }

    /// <summary>The storage's change count in Redis as the latest read here saw it: never ahead of the count itself.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public async ValueTask<CacheHit<TValue>?> LookupAsync(TKey key, CancellationToken cancellationToken = default)
    {
        // Two GETs in one round trip rather than an MGET, which would answer a key of another type with nil, not an error.
        var (held, generation) = await Run(async db =>
        {
            var batch = db.CreateBatch();
            var value = batch.StringGetAsync(Key(key));
            var count = batch.StringGetAsync(_generationKey);
            batch.Execute();
            await Task.WhenAll(value, count);
            return (value.Result, count.Result);
        });
        SawGeneration(generation);
        var hit = Decode(held);
        Count(hit is null ? 0 : 1, 1);
        return hit;
    }

    public async ValueTask<IReadOnlyDictionary<TKey, CacheHit<TValue>>> MultiLookupAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default)
    {
        var asked = keys as IReadOnlyList<TKey> ?? [.. keys];
        var held = await Run(db => db.StringGetAsync([.. asked.Select(Key), _generationKey]));
        SawGeneration(held[asked.Count]);
        var hits = new Dictionary<TKey, CacheHit<TValue>>(asked.Count);
        for (var i = 0; i < asked.Count; i++)
        {
            if (Decode(held[i]) is { } hit)
            {
                hits[asked[i]] = hit;
            }
        }

        Count(hits.Count, asked.Count);
        return hits;
    }

    public async ValueTask<TValue?> GetAsync(TKey key, CancellationToken cancellationToken = default) =>
        (await LookupAsync(key, cancellationToken))?.Value;

    public async ValueTask<IReadOnlyDictionary<TKey, TValue>> MultiGetAsync(IReadOnlyCollection<TKey> keys, CancellationToken cancellationToken = default)
    {
        var hits = await MultiLookupAsync(keys, cancellationToken);
        return hits.Where(h => h.Value.Value is not null).ToDictionary(h => h.Key, h => h.Value.Value!);
    }

    public ValueTask SetAsync(TKey key, TValue value, CancellationToken cancellationToken = default) =>
        ChangeAsync(batch => [batch.StringSetAsync(Key(key), Encode(value), Lifetime())]);

    public async ValueTask<bool> AddAsync(TKey key, TValue value, CancellationToken cancellationToken = default)
    {
        var added = await Run(db => db.ScriptEvaluateAsync(AddScript,
            new { key = Key(key), value = Encode(value), ttl = (long)Lifetime().TotalMilliseconds, generation = _generationKey }), skippable: false);
        return (int)added == 1;
    }

    public ValueTask MultiSetAsync(IReadOnlyCollection<KeyValuePair<TKey, TValue>> items, CancellationToken cancellationToken = default) =>
        ChangeAsync(batch => [.. items.Select(i => batch.StringSetAsync(Key(i.Key), Encode(i.Value), Lifetime()))]);

    public ValueTask DeleteAsync(params TKey[] keys) =>
        ChangeAsync(batch => [batch.KeyDeleteAsync([.. keys.Select(Key)])]);

    public async ValueTask FillAsync(IReadOnlyDictionary<TKey, TValue> values, IReadOnlyCollection<TKey> absent, long generation,
        CancellationToken cancellationToken = default)
    {
        var entries = values.Select(v => (v.Key, Value: Encode(v.Value), Lifetime: Lifetime()))
            .Concat(absent.Select(k => (Key: k, Value: RedisValue.EmptyString, Lifetime: _options.NegativeDuration)))
            .ToList();
        if (entries.Count == 0)
        {
            return;
        }

        await Run(db => db.ScriptEvaluateAsync(FillScript,
            [_generationKey, .. entries.Select(e => Key(e.Key))],
            [generation, .. entries.SelectMany(e => new[] { e.Value, (long)e.Lifetime.TotalMilliseconds })]));
    }

    public async ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        await Run(async db =>
        {
            await db.StringIncrementAsync(_generationKey);
            foreach (var server in _redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
            {
                var batch = new List<RedisKey>();
                await foreach (var key in server.KeysAsync(db.Database, $"{_prefix}*", pageSize: 500))
                {
                    batch.Add(key);
                }

                await db.KeyDeleteAsync([.. batch]);
            }

            return true;
        }, skippable: false);
    }

    /// <summary>
    /// One pipelined batch that counts the generation up before it changes anything: a fill that read the source before
    /// this change then finds the count moved, whenever it arrives.
    /// </summary>
    private async ValueTask ChangeAsync(Func<IBatch, Task[]> change)
    {
        await Run(async db =>
        {
            var batch = db.CreateBatch();
            var counted = batch.StringIncrementAsync(_generationKey);
            var changes = change(batch);
            batch.Execute();
            await Task.WhenAll([counted, .. changes]);
            return true;
        }, skippable: false);
    }

    private void SawGeneration(RedisValue held) =>
        Volatile.Write(ref _generation, held.TryParse(out long seen) ? seen : 0);

    /// <param name="skippable">
    /// True for reads and fills, which lose nothing when skipped. False for what changes a value (sets, adds, deletes,
    /// clears): skipped, it would leave every replica a copy older than the source to read from Redis for the rest of its
    /// duration, while one more try costs the write at most <see cref="StorageOptions.RedisTimeout"/>.
    /// </param>
    private async Task<T> Run<T>(Func<IDatabase, Task<T>> operation, bool skippable = true)
    {
        if (skippable && _time.GetTimestamp() < Volatile.Read(ref _skipUntil))
        {
            throw new CacheTierUnavailableException($"Redis is skipped after a failure (cache '{_name}').");
        }

        try
        {
            // Disconnected, the client would queue the call until it reconnects: fail now instead.
            if (!_redis.IsConnected)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
            }

            return await operation(_redis.GetDatabase()).WaitAsync(_options.RedisTimeout, _time);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            _metrics.Error(_name, Tier);
            Volatile.Write(ref _skipUntil, _time.GetTimestamp() + (long)(_options.RedisRetryAfter.TotalSeconds * _time.TimestampFrequency));
            throw new CacheTierUnavailableException($"Redis failed (cache '{_name}').", exception);
        }
    }

    private CacheHit<TValue>? Decode(RedisValue held)
    {
        if (held.IsNull)
        {
            return null;
        }

        if (held == RedisValue.EmptyString)
        {
            return new CacheHit<TValue>(null, false);
        }

        try
        {
            return new CacheHit<TValue>(JsonSerializer.Deserialize((byte[])held!, _json), false);
        }
        catch (JsonException)
        {
            // Written by an older shape of the value: as good as absent, and soon overwritten.
            _metrics.Error(_name, Tier);
            return null;
        }
    }

    private RedisValue Encode(TValue value) => JsonSerializer.SerializeToUtf8Bytes(value, _json);

    private TimeSpan Lifetime() => _options.Duration + _options.JitterMaxDuration * Random.Shared.NextDouble();

    private RedisKey Key(TKey key) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}{key}");

    private void Count(int hits, int asked)
    {
        _metrics.Hit(_name, Tier, hits);
        _metrics.Miss(_name, Tier, asked - hits);
    }
}
