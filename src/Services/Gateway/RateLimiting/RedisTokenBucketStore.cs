using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dedao.Gateway.RateLimiting;

/// <summary>
/// One replica's way to the shared buckets: an atomic Lua token bucket per policy and partition, a short timeout on
/// every call, and a cool-down after a failure during which the replica's limiters answer from their local buckets.
/// </summary>
public sealed partial class RedisTokenBucketStore
{
    // KEYS[1] = the bucket, a hash {tokens, ts}. ARGV = bucket size, tokens per period, period (ms), permits needed, and
    // tokens wanted (at least the permits): when the permits are there, up to the wanted tokens are granted.
    // The clock is Redis's own, so replicas with skewed clocks still agree. Tokens refill continuously, pro rata.
    // An absent key is a full bucket, so the key expires once the bucket would be full again.
    // StackExchange.Redis sends it with EVALSHA once the server knows it and re-sends the text after NOSCRIPT
    // (a restarted or failed-over Redis has an empty script cache).
    private const string TokenBucketScript = """
        local capacity = tonumber(ARGV[1])
        local per_ms = tonumber(ARGV[2]) / tonumber(ARGV[3])
        local requested = tonumber(ARGV[4])
        local wanted = tonumber(ARGV[5])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
        local tokens = tonumber(state[1])
        local ts = tonumber(state[2])
        if tokens == nil or ts == nil then
          tokens = capacity
          ts = now
        end
        if now > ts then
          tokens = tokens + (now - ts) * per_ms
          ts = now
        end
        tokens = math.min(capacity, tokens)
        local needed = math.max(requested, 1)
        local allowed = 0
        local granted = 0
        local retry_ms = 0
        if tokens >= needed then
          granted = math.max(requested, math.min(wanted, math.floor(tokens)))
          tokens = tokens - granted
          allowed = 1
        else
          retry_ms = math.ceil((needed - tokens) / per_ms)
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
        redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / per_ms) + 1000)
        return { allowed, math.floor(tokens), retry_ms, granted }
        """;

    private readonly Func<IConnectionMultiplexer> _connect;
    private readonly GatewayRateLimitingOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _connectLock = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private long _skipRedisUntil;
    private int _degraded;

    /// <param name="connect">
    /// Gives the multiplexer; called once on a background thread, since connecting to a dead Redis blocks for
    /// the connect timeout. Until it returns, limiters answer locally.
    /// </param>
    public RedisTokenBucketStore(
        Func<IConnectionMultiplexer> connect,
        IOptions<GatewayRateLimitingOptions> options,
        ILogger<RedisTokenBucketStore> logger,
        TimeProvider? timeProvider = null)
    {
        _connect = connect;
        _options = options.Value;
        _logger = logger;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    public TimeProvider TimeProvider { get; }

    internal TimeSpan TokenLeaseDuration => _options.TokenLease;

    /// <summary>The limiter of one partition of one policy, as a <c>RateLimitPartition</c> factory wants it.</summary>
    public RedisTokenBucketRateLimiter CreateLimiter(string policyName, RateLimitPolicyOptions policy, string partitionKey) =>
        new(this, policy, $"{_options.KeyPrefix}:{policyName}:{partitionKey}");

    /// <summary>
    /// Connects now rather than on the first request, so a healthy gateway shares its limits from its first request.
    /// A Redis that is down does not stop the start: the limiters answer locally until it is back.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Connection().WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(exception);
        }
    }

    /// <summary>
    /// One atomic take from the shared bucket of <paramref name="permits"/>, and of up to <paramref name="wanted"/> tokens
    /// when the permits are there; or null when Redis cannot answer now (cooling down after a failure,
    /// not connected, too slow or failing): the caller then limits locally.
    /// </summary>
    internal async ValueTask<BucketResult?> TryTakeAsync(string key, RateLimitPolicyOptions policy, int permits, long wanted, CancellationToken cancellationToken)
    {
        if (TimeProvider.GetTimestamp() < Volatile.Read(ref _skipRedisUntil))
        {
            return null;
        }

        IConnectionMultiplexer multiplexer;
        try
        {
            // Only the first requests wait here, and not longer than for a call.
            multiplexer = await Connection().WaitAsync(_options.RedisTimeout, TimeProvider, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            lock (_connectLock)
            {
                if (_connecting is { IsFaulted: true })
                {
                    _connecting = null;
                }
            }

            Failed(exception);
            return null;
        }

        if (!multiplexer.IsConnected)
        {
            Failed(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected."));
            return null;
        }

        Task<RedisResult>? call = null;
        try
        {
            call = multiplexer.GetDatabase().ScriptEvaluateAsync(
                TokenBucketScript,
                [key],
                [policy.PermitLimit, policy.TokensPerPeriod, Math.Max(1L, (long)policy.ReplenishmentPeriod.TotalMilliseconds), permits, wanted]);
            var reply = (RedisResult[]?)await call.WaitAsync(_options.RedisTimeout, TimeProvider, cancellationToken)
                ?? throw new RedisException("The token bucket script returned nothing.");
            Recovered();
            return new BucketResult((long)reply[0] == 1, (long)reply[1], TimeSpan.FromMilliseconds((long)reply[2]), (long)reply[3]);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(call);
            throw;
        }
        catch (Exception exception)
        {
            Observe(call);
            Failed(exception);
            return null;
        }
    }

    private Task<IConnectionMultiplexer> Connection()
    {
        if (Volatile.Read(ref _connecting) is { } connecting)
        {
            return connecting;
        }

        lock (_connectLock)
        {
            return _connecting ??= Task.Run(_connect);
        }
    }

    private void Failed(Exception exception)
    {
        Volatile.Write(ref _skipRedisUntil, TimeProvider.GetTimestamp() + (long)(_options.RedisCoolDown.TotalSeconds * TimeProvider.TimestampFrequency));
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            LogDegraded(_logger, exception, _options.RedisCoolDown);
        }
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    // A call given up on (timeout, cancellation) may still fail later; its exception is nobody's to throw.
    private static void Observe(Task? call) =>
        call?.ContinueWith(static task => _ = task.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Rate limiting: Redis is unavailable, each replica limits locally; Redis is tried again every {CoolDown}.")]
    private static partial void LogDegraded(ILogger logger, Exception exception, TimeSpan coolDown);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate limiting: Redis answers again; the limits are shared by all replicas.")]
    private static partial void LogRecovered(ILogger logger);
}

/// <param name="Remaining">Whole tokens left in the shared bucket after this take.</param>
/// <param name="Granted">Tokens taken: the permits, or more when more were wanted; 0 when not allowed.</param>
internal readonly record struct BucketResult(bool Allowed, long Remaining, TimeSpan RetryAfter, long Granted);
