using Microsoft.Extensions.Options;

namespace Dedao.Passport.Security;

public enum LoginOutcome
{
    /// <summary>The password check never ran or its result was lost (a database outage): nothing is counted.</summary>
    Abandoned = 0,
    Failed = 1,
    Succeeded = 2,
}

/// <summary>A login attempt the throttle let through, or the wait it asks for; ended with <see cref="LoginThrottle.EndAsync"/>.</summary>
public sealed record LoginAttempt(LoginKeys Keys, TimeSpan? RetryAfter, ILoginCounters Counters);

/// <summary>
/// OWASP's authentication guidance instead of an account lockout: per phone and address, the first
/// <see cref="PassportOptions.FreeFailedLogins"/> wrong passwords are free and each further one waits twice as long
/// (capped); per address, a limit on failures over all phones. Only a password check that ran and failed counts, so
/// an outage counts nothing, and an address that never failed for a phone is never held up by others' failures for
/// it: nobody can keep the owner out. An attempt in progress holds a short-lived slot, so a burst of parallel guesses
/// cannot slip past the count. Counters live in Redis, shared by replicas; while Redis fails, in this replica.
/// </summary>
public sealed class LoginThrottle(RedisLoginCounters redis, LocalLoginCounters local, TimeProvider time)
{
    public async Task<LoginAttempt> BeginAsync(string phone, string address)
    {
        var keys = new LoginKeys(phone, address);
        var now = time.GetUtcNow();
        var counters = redis.IsAvailable(now) ? (ILoginCounters)redis : local;
        var wait = await counters.CheckAsync(keys, now);
        if (wait is null && counters == redis)
        {
            // Redis failed just now: the local counters decide, and keep the in-progress slot.
            counters = local;
            wait = await local.CheckAsync(keys, now);
        }

        return new LoginAttempt(keys, wait == TimeSpan.Zero ? null : wait, counters);
    }

    public Task EndAsync(LoginAttempt attempt, LoginOutcome outcome) =>
        attempt.Counters.RecordAsync(attempt.Keys, outcome, time.GetUtcNow());
}

public sealed record LoginKeys(string Phone, string Address);

/// <summary>Where the throttle's counts live. <see cref="CheckAsync"/> answers zero to go on, null when the store failed.</summary>
public interface ILoginCounters
{
    Task<TimeSpan?> CheckAsync(LoginKeys keys, DateTimeOffset now);

    Task RecordAsync(LoginKeys keys, LoginOutcome outcome, DateTimeOffset now);
}

/// <summary>The throttle's numbers, read once from <see cref="PassportOptions"/>.</summary>
public sealed class LoginThrottleRules(IOptions<PassportOptions> options)
{
    /// <summary>Long enough for a password check and a database round trip; an attempt cut short frees its slot by then.</summary>
    public static readonly TimeSpan InProgressLifetime = TimeSpan.FromSeconds(5);

    private readonly PassportOptions _options = options.Value;

    public int FreeFailures => _options.FreeFailedLogins;

    public int PhoneUnderAttack => _options.PhoneUnderAttackFailures;

    public int MaxPerAddress => _options.MaxFailedLoginsPerAddress;

    public TimeSpan Window => _options.FailedLoginWindow;

    public TimeSpan FirstDelay => _options.FirstLoginDelay;

    public TimeSpan MaxDelay => _options.MaxLoginDelay;

    /// <summary>
    /// The wait before the next try of an address with <paramref name="failures"/> (in progress included) for a
    /// phone, the last of them at <paramref name="lastFailure"/>; zero to go on. The Redis script computes the same.
    /// </summary>
    public TimeSpan WaitFor(long failures, long phoneFailures, DateTimeOffset? lastFailure, DateTimeOffset now)
    {
        var free = phoneFailures >= PhoneUnderAttack ? 1 : FreeFailures;
        if (failures < free)
        {
            return TimeSpan.Zero;
        }

        var delay = TimeSpan.FromMilliseconds(Math.Min(FirstDelay.TotalMilliseconds * Math.Pow(2, failures - free), MaxDelay.TotalMilliseconds));
        var wait = lastFailure is { } last ? last + delay - now : delay;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }
}
