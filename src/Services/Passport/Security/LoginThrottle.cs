// Ours: ASP.NET Core's rate limiters count requests, not password checks that ran and failed, so they would lock owners out with their attackers.
using Microsoft.Extensions.Options;

namespace Dedao.Passport.Security;

public enum LoginOutcome
{
    /// <summary>The password check never ran or its result was lost (a database outage): nothing is counted.</summary>
    Abandoned = 0,
    Failed = 1,
    Succeeded = 2,
}

/// <summary>
/// A login attempt the throttle let through, or the wait it asks for; ended with <see cref="LoginThrottle.EndAsync"/>.
/// <paramref name="Shared"/> is the shared store that counted it, null when Redis was unavailable.
/// </summary>
public sealed record LoginAttempt(LoginKeys Keys, TimeSpan? RetryAfter, ILoginCounters? Shared);

/// <summary>
/// OWASP's authentication guidance instead of an account lockout: per phone and address, the first
/// <see cref="PassportOptions.FreeFailedLogins"/> wrong passwords are free and each further one waits twice as long
/// (capped); per address, a limit on failures over all phones. Only a password check that ran and failed counts, so
/// an outage counts nothing, and an address that never failed for a phone is never held up by others' failures for
/// it: nobody can keep the owner out. An attempt in progress holds a short-lived slot, so a burst of parallel guesses
/// cannot slip past the count. Counters live in Redis, shared by replicas, and in this replica, which counts every
/// outcome it sees: both are lower bounds of the truth (Redis loses a write that times out; a replica sees only its
/// own), so the stricter of the two decides, and while Redis fails the replica's own count alone.
/// </summary>
public sealed class LoginThrottle(RedisLoginCounters redis, LocalLoginCounters local, TimeProvider time)
{
    public async Task<LoginAttempt> BeginAsync(string phone, string address)
    {
        var keys = new LoginKeys(phone, address);
        var now = time.GetUtcNow();
        var localWait = await local.CheckAsync(keys, now) ?? TimeSpan.Zero;
        var sharedWait = redis.IsAvailable(now) ? await redis.CheckAsync(keys, now) : null;
        if (sharedWait is null)
        {
            return new LoginAttempt(keys, localWait == TimeSpan.Zero ? null : localWait, Shared: null);
        }

        var wait = localWait > sharedWait.Value ? localWait : sharedWait.Value;
        if (wait == TimeSpan.Zero)
        {
            return new LoginAttempt(keys, RetryAfter: null, redis);
        }

        // A store that let the attempt in holds an in-progress slot for it, which a held attempt must not keep.
        if (localWait == TimeSpan.Zero)
        {
            await local.RecordAsync(keys, LoginOutcome.Abandoned, now);
        }

        if (sharedWait == TimeSpan.Zero)
        {
            await redis.RecordAsync(keys, LoginOutcome.Abandoned, now);
        }

        return new LoginAttempt(keys, wait, Shared: null);
    }

    public async Task EndAsync(LoginAttempt attempt, LoginOutcome outcome)
    {
        var now = time.GetUtcNow();
        await local.RecordAsync(attempt.Keys, outcome, now);
        if (attempt.Shared is { } shared)
        {
            await shared.RecordAsync(attempt.Keys, outcome, now);
        }
    }
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
