using StackExchange.Redis;

namespace Dedao.Passport.Security;

/// <summary>
/// The throttle's counts in Redis, shared by every replica, each check and record one atomic script. A call that
/// fails or takes longer than <see cref="CallTimeout"/> makes the throttle use the local counts for
/// <see cref="CoolDown"/>, so a frozen Redis costs a login a quarter of a second, once.
/// </summary>
public sealed class RedisLoginCounters(IConnectionMultiplexer redis, LoginThrottleRules rules, ILogger<RedisLoginCounters> logger)
    : ILoginCounters
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(5);

    // KEYS: address failures, phone failures, phone+address hash {n, last}, phone+address in progress.
    // ARGV: address limit, free failures, phone-under-attack failures, first delay, max delay, now, in-progress lifetime (ms).
    // Returns the milliseconds to wait, or 0 after taking an in-progress slot. The wait is LoginThrottleRules.WaitFor's.
    private const string CheckScript = """
        local address = tonumber(redis.call('GET', KEYS[1]) or '0')
        if address >= tonumber(ARGV[1]) then
          return math.max(redis.call('PTTL', KEYS[1]), 1)
        end
        local failures = tonumber(redis.call('HGET', KEYS[3], 'n') or '0') + tonumber(redis.call('GET', KEYS[4]) or '0')
        local free = tonumber(ARGV[2])
        if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[3]) then free = 1 end
        if failures >= free then
          local delay = math.min(tonumber(ARGV[4]) * 2 ^ (failures - free), tonumber(ARGV[5]))
          local last = redis.call('HGET', KEYS[3], 'last')
          local wait = delay
          if last then wait = tonumber(last) + delay - tonumber(ARGV[6]) end
          if wait > 0 then return math.ceil(wait) end
        end
        redis.call('INCR', KEYS[4])
        redis.call('PEXPIRE', KEYS[4], ARGV[7])
        return 0
        """;

    // KEYS as above. ARGV: outcome (0 abandoned, 1 failed, 2 succeeded), now, window (ms).
    private const string RecordScript = """
        if tonumber(redis.call('GET', KEYS[4]) or '0') > 0 then redis.call('DECR', KEYS[4]) end
        if ARGV[1] == '1' then
          for i = 1, 2 do
            if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
          end
          redis.call('HINCRBY', KEYS[3], 'n', 1)
          redis.call('HSET', KEYS[3], 'last', ARGV[2])
          redis.call('PEXPIRE', KEYS[3], ARGV[3])
        elseif ARGV[1] == '2' then
          redis.call('DEL', KEYS[3])
        end
        return 0
        """;

    private long _skipUntilTicks;

    public bool IsAvailable(DateTimeOffset now) => now.UtcTicks >= Interlocked.Read(ref _skipUntilTicks);

    public async Task<TimeSpan?> CheckAsync(LoginKeys keys, DateTimeOffset now)
    {
        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(CheckScript, Keys(keys),
            [
                rules.MaxPerAddress, rules.FreeFailures, rules.PhoneUnderAttack, (long)rules.FirstDelay.TotalMilliseconds,
                (long)rules.MaxDelay.TotalMilliseconds, now.ToUnixTimeMilliseconds(), (long)LoginThrottleRules.InProgressLifetime.TotalMilliseconds,
            ]).WaitAsync(CallTimeout);
            return TimeSpan.FromMilliseconds((long)result);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Fail(e, now);
            return null;
        }
    }

    public async Task RecordAsync(LoginKeys keys, LoginOutcome outcome, DateTimeOffset now)
    {
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(RecordScript, Keys(keys),
                [(int)outcome, now.ToUnixTimeMilliseconds(), (long)rules.Window.TotalMilliseconds]).WaitAsync(CallTimeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Lost: a failure goes uncounted, an in-progress slot lapses within seconds. Neither locks anyone out.
            Fail(e, now);
        }
    }

    private void Fail(Exception e, DateTimeOffset now)
    {
        Interlocked.Exchange(ref _skipUntilTicks, (now + CoolDown).UtcTicks);
        logger.LogWarning(e, "Login throttle uses this replica's counts for {CoolDown}: Redis failed", CoolDown);
    }

    private static RedisKey[] Keys(LoginKeys keys) =>
    [
        $"passport:login:address:{keys.Address}", $"passport:login:phone:{keys.Phone}",
        $"passport:login:pair:{keys.Phone}:{keys.Address}", $"passport:login:in-progress:{keys.Phone}:{keys.Address}",
    ];
}
