namespace Dedao.Passport.Security;

/// <summary>The throttle's counts of what this replica saw, alone while Redis is unavailable; the same rules, kept under one lock.</summary>
public sealed class LocalLoginCounters(LoginThrottleRules rules) : ILoginCounters
{
    // Bounds memory under a flood of distinct phones and addresses; expired entries go first.
    private const int MaxEntries = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Counter> _counters = [];

    public Task<TimeSpan?> CheckAsync(LoginKeys keys, DateTimeOffset now)
    {
        lock (_lock)
        {
            var address = Get(AddressKey(keys), now);
            if (address.Count >= rules.MaxPerAddress)
            {
                return Task.FromResult<TimeSpan?>(address.Expires - now);
            }

            var pair = Get(PairKey(keys), now);
            var inProgress = Get(InProgressKey(keys), now);
            var wait = rules.WaitFor(pair.Count + inProgress.Count, Get(PhoneKey(keys), now).Count, pair.Last, now);
            if (wait == TimeSpan.Zero)
            {
                Set(InProgressKey(keys), inProgress with { Count = inProgress.Count + 1, Expires = now + LoginThrottleRules.InProgressLifetime }, now);
            }

            return Task.FromResult<TimeSpan?>(wait);
        }
    }

    public Task RecordAsync(LoginKeys keys, LoginOutcome outcome, DateTimeOffset now)
    {
        lock (_lock)
        {
            var inProgress = Get(InProgressKey(keys), now);
            Set(InProgressKey(keys), inProgress with { Count = Math.Max(0, inProgress.Count - 1) }, now);
            if (outcome == LoginOutcome.Failed)
            {
                foreach (var key in new[] { AddressKey(keys), PhoneKey(keys) })
                {
                    var counter = Get(key, now);
                    Set(key, counter with { Count = counter.Count + 1 }, now);
                }

                var pair = Get(PairKey(keys), now);
                Set(PairKey(keys), new Counter(pair.Count + 1, now, now + rules.Window), now);
            }
            else if (outcome == LoginOutcome.Succeeded)
            {
                _counters.Remove(PairKey(keys));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The live counter under a key, or a fresh one whose window starts now.</summary>
    private Counter Get(string key, DateTimeOffset now) =>
        _counters.TryGetValue(key, out var counter) && counter.Expires > now ? counter : new Counter(0, null, now + rules.Window);

    private void Set(string key, Counter counter, DateTimeOffset now)
    {
        if (_counters.Count >= MaxEntries && !_counters.ContainsKey(key))
        {
            foreach (var expired in _counters.Where(c => c.Value.Expires <= now).Select(c => c.Key).ToList())
            {
                _counters.Remove(expired);
            }

            if (_counters.Count >= MaxEntries)
            {
                _counters.Clear();
            }
        }

        _counters[key] = counter;
    }

    private static string AddressKey(LoginKeys keys) => $"a:{keys.Address}";

    private static string PhoneKey(LoginKeys keys) => $"p:{keys.Phone}";

    private static string PairKey(LoginKeys keys) => $"pa:{keys.Phone}:{keys.Address}";

    private static string InProgressKey(LoginKeys keys) => $"f:{keys.Phone}:{keys.Address}";

    private sealed record Counter(long Count, DateTimeOffset? Last, DateTimeOffset Expires);
}
