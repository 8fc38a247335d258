namespace Dedao.Gateway.RateLimiting;

/// <summary>
/// Tokens one replica took from a partition's shared bucket ahead of need, spent here without a round trip to Redis
/// until the lease ends; what is left then is forfeited, never returned, so no replica ever admits a token the shared
/// bucket did not give. A replica holds at most what the bucket refills during one lease (<paramref name="cap"/>), so
/// another replica can be short of tokens for one lease at most: with the gateway's ordinary policies (100 per 10 s)
/// that is less than one token, and every request asks Redis as before. The batch grows while a lease runs out before
/// it ends and shrinks when tokens are forfeited, so a busy partition asks Redis a few times per lease whatever its rate.
/// A refusal is remembered until its Retry-After: the shared bucket only refills with time, so until then it would refuse
/// again, and a flood of 429s costs Redis nothing.
/// </summary>
internal sealed class TokenLease(long cap, TimeSpan duration, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly long _durationTicks = (long)(duration.TotalSeconds * time.TimestampFrequency);
    private long _held;
    private long _ends;
    private long _sharedRemaining;
    private long _batch = 1;
    private bool _taking;
    private long _refusedUntil;
    private int _refusedPermits;

    /// <summary>The most tokens a replica may hold for <paramref name="policy"/>: one lease's refill, at least one.</summary>
    public static long Cap(RateLimitPolicyOptions policy, TimeSpan duration) =>
        Math.Max(1L, (long)(policy.TokensPerPeriod * (duration / policy.ReplenishmentPeriod)));

    /// <summary>Spends <paramref name="permits"/> held tokens, if the lease has them and has not ended.</summary>
    /// <param name="remaining">What the shared bucket had at the take, plus what this replica still holds.</param>
    public bool TrySpend(int permits, out long remaining)
    {
        lock (_lock)
        {
            remaining = 0;
            if (permits <= 0 || _held < permits || time.GetTimestamp() >= _ends)
            {
                return false;
            }

            _held -= permits;
            remaining = _sharedRemaining + _held;
            return true;
        }
    }

    /// <summary>True while a refusal of as many <paramref name="permits"/> or fewer still stands.</summary>
    public bool IsRefused(int permits, out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            retryAfter = now < _refusedUntil && permits >= _refusedPermits
                ? time.GetElapsedTime(now, _refusedUntil)
                : TimeSpan.Zero;
            return retryAfter > TimeSpan.Zero;
        }
    }

    /// <summary>Remembers the shared bucket's refusal of <paramref name="permits"/> until <paramref name="retryAfter"/> has passed.</summary>
    public void Refused(int permits, TimeSpan retryAfter)
    {
        lock (_lock)
        {
            _refusedUntil = time.GetTimestamp() + (long)(retryAfter.TotalSeconds * time.TimestampFrequency);
            _refusedPermits = permits;
        }
    }

    /// <summary>
    /// How many tokens to ask the shared bucket for, <paramref name="permits"/> at least. Only one request at a time asks
    /// for a batch; the others meanwhile ask for their own permits, so concurrent misses do not hoard tokens.
    /// </summary>
    public long StartTake(int permits)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_held > 0 && now >= _ends)
            {
                _held = 0;
                _batch = Math.Max(1L, _batch / 2);
            }

            if (_taking)
            {
                return permits;
            }

            if (now < _ends)
            {
                // Out of tokens before the last lease ended: the partition is busier than the batch.
                _batch = Math.Min(cap, _batch * 2);
            }

            if (_batch <= permits)
            {
                return permits;
            }

            _taking = true;
            return _batch;
        }
    }

    /// <summary>
    /// Ends a take started with <see cref="StartTake"/> (granted 0 when refused or when Redis did not answer): keeps the
    /// tokens granted beyond the asker's own permits, and starts a lease. <paramref name="asked"/> tells the one take that
    /// asked for a batch from the concurrent ones that asked for their permits only.
    /// </summary>
    public void EndTake(long asked, int permits, long granted, long sharedRemaining)
    {
        lock (_lock)
        {
            if (asked > permits)
            {
                _taking = false;
            }

            if (granted < permits || granted == 0)
            {
                return;
            }

            _held += granted - permits;
            _sharedRemaining = sharedRemaining;
            _ends = time.GetTimestamp() + _durationTicks;
        }
    }
}
