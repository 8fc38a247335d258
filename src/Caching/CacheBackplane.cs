// FusionCache's backplane drops whole FusionCache entries; ours drops keys of our own in-process tiers, so it is a Redis channel of our own.
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Dedao.Caching;

/// <summary>
/// Tells the other replicas which in-process copies to drop, over one Redis pub/sub channel: a change on one replica
/// reaches the others in milliseconds. While Redis is down the message is lost and the others keep their copies for
/// at most the storage's duration.
/// </summary>
public sealed partial class CacheBackplane
{
    private const string All = "*all";
    private static readonly RedisChannel Channel = RedisChannel.Literal("dedao:cache:invalidations");

    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<CacheBackplane> _logger;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, Action<IReadOnlyList<string>?>> _handlers = new();
    private int _subscribed;

    public CacheBackplane(IConnectionMultiplexer redis, ILogger<CacheBackplane> logger)
    {
        _redis = redis;
        _logger = logger;
    }

    /// <param name="onInvalidated">Given the keys another replica changed, or null when it cleared the storage.</param>
    public void Subscribe(string storage, Action<IReadOnlyList<string>?> onInvalidated)
    {
        _handlers[storage] = onInvalidated;
        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            // Not waited for: with Redis down, a start would wait out the client's timeout and fail, and a replica would stay
            // down for as long as Redis does. The client keeps the subscription and makes it on every (re)connect.
            _ = SubscribeAsync();
        }
    }

    /// <param name="keys">Null: every key of the storage.</param>
    public async ValueTask PublishAsync(string storage, IEnumerable<string>? keys)
    {
        // Disconnected, the client would hold the message until it reconnects or its timeout ends, and the write or delete
        // that sent it would wait as long.
        if (!_redis.IsConnected)
        {
            LogPublishFailed(_logger, null, storage);
            return;
        }

        var message = string.Join('\n', [_instance, storage, .. keys ?? [All]]);
        try
        {
            // Fire and forget: nothing here needs the count of receivers, and a frozen Redis must not hold up a write either.
            await _redis.GetSubscriber().PublishAsync(Channel, message, CommandFlags.FireAndForget);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogPublishFailed(_logger, exception, storage);
        }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(Channel, (_, message) => Receive(message));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogSubscribeFailed(_logger, exception);
        }
    }

    private void Receive(RedisValue message)
    {
        var parts = ((string?)message ?? "").Split('\n');
        if (parts.Length < 3 || parts[0] == _instance || !_handlers.TryGetValue(parts[1], out var handler))
        {
            return;
        }

        handler(parts is [_, _, All] ? null : parts[2..]);
    }

    [LoggerMessage(LogLevel.Warning, "Other replicas were not told of a change to cache '{Storage}'; they keep their copies until these expire.")]
    private static partial void LogPublishFailed(ILogger logger, Exception? exception, string storage);

    [LoggerMessage(LogLevel.Warning, "Not yet subscribed to other replicas' cache changes; the Redis client subscribes once it connects.")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
