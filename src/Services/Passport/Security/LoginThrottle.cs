using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dedao.Passport.Security;

/// <summary>
/// Limits failed logins per phone and per client address with Redis counters shared by all replicas.
/// An attempt reserves a failure before the password is checked, so a burst of parallel guesses
/// cannot slip past the limit; a successful login gives its reservation back.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, IOptions<PassportOptions> options)
{
    // Fails fast so a Redis outage becomes a 503 within the platform's 2 second budget.
    private static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(1.5);

    // KEYS: phone counter, address counter. ARGV: phone limit, address limit, window in ms.
    // Returns 0 when the attempt may go on, else the milliseconds until the blocking window ends.
    private const string ReserveScript = """
        local limits = { tonumber(ARGV[1]), tonumber(ARGV[2]) }
        local retry = 0
        for i = 1, 2 do
          if tonumber(redis.call('GET', KEYS[i]) or '0') >= limits[i] then
            local ttl = redis.call('PTTL', KEYS[i])
            if ttl < 0 then
              redis.call('PEXPIRE', KEYS[i], ARGV[3])
              ttl = tonumber(ARGV[3])
            end
            if ttl > retry then retry = ttl end
          end
        end
        if retry > 0 then return retry end
        for i = 1, 2 do
          if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
        end
        return 0
        """;

    // The phone's failures are forgiven on success; the address keeps its other failures.
    private const string ReleaseScript = """
        redis.call('DEL', KEYS[1])
        if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
        return 0
        """;

    /// <summary>Null when the attempt may go on, else how long the caller must wait.</summary>
    public async Task<TimeSpan?> TryReserveAsync(string phone, string address)
    {
        var settings = options.Value;
        var result = await redis.GetDatabase().ScriptEvaluateAsync(
            ReserveScript,
            Keys(phone, address),
            [settings.MaxFailedLoginsPerPhone, settings.MaxFailedLoginsPerAddress, (long)settings.FailedLoginWindow.TotalMilliseconds])
            .WaitAsync(RedisTimeout);
        var retryMilliseconds = (long)result;
        return retryMilliseconds > 0 ? TimeSpan.FromMilliseconds(retryMilliseconds) : null;
    }

    public Task ReleaseAsync(string phone, string address) =>
        redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, Keys(phone, address)).WaitAsync(RedisTimeout);

    private static RedisKey[] Keys(string phone, string address) =>
        [$"passport:login-failures:phone:{phone}", $"passport:login-failures:address:{address}"];
}
