using System.Threading.RateLimiting;
using Dedao.Gateway.RateLimiting;
using Dedao.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Dedao.Gateway.Tests;

/// <summary>The limiter on its own, against a real Redis; two stores with their own connections are two gateway replicas.</summary>
public sealed class RateLimitingLimiterTests
{
    // Only stops a test whose fake clock would never move a hung call on; nothing here is timed by the wall clock.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Two_replicas_share_one_budget_in_Redis()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var a = await Replica.ConnectAsync(redis);
        await using var b = await Replica.ConnectAsync(redis);
        var policy = PerHour(5);
        using var onA = a.Store.CreateLimiter("test", policy, "user:1");
        using var onB = b.Store.CreateLimiter("test", policy, "user:1");

        var remaining = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            using var lease = await (i % 2 == 0 ? onA : onB).AcquireAsync();
            Assert.True(lease.IsAcquired, $"request {i + 1} of 5 is admitted");
            Assert.Equal(GatewayRateLimitMetadata.RedisStore, Metadata(lease, GatewayRateLimitMetadata.Store));
            Assert.Equal(5, Metadata(lease, GatewayRateLimitMetadata.Limit));
            remaining.Add(Metadata(lease, GatewayRateLimitMetadata.Remaining));
        }

        Assert.Equal([4, 3, 2, 1, 0], remaining);
        foreach (var limiter in new[] { onA, onB })
        {
            using var rejected = await limiter.AcquireAsync();
            Assert.False(rejected.IsAcquired);
            Assert.Equal(0, Metadata(rejected, GatewayRateLimitMetadata.Remaining));
            // 5 tokens an hour: the next one is 12 minutes away, less the few milliseconds of this test.
            Assert.InRange(Metadata(rejected, MetadataName.RetryAfter), TimeSpan.FromSeconds(700), TimeSpan.FromSeconds(720));
        }

        // Another partition of the same policy has its own bucket.
        using var otherLimiter = b.Store.CreateLimiter("test", policy, "user:2");
        using var other = await otherLimiter.AcquireAsync();
        Assert.True(other.IsAcquired);
        Assert.Equal(4, Metadata(other, GatewayRateLimitMetadata.Remaining));
    }

    [Fact]
    public async Task Buckets_expire_once_they_would_be_full_again()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var a = await Replica.ConnectAsync(redis);
        using var limiter = a.Store.CreateLimiter("test", PerHour(5), "ip:192.0.2.1");

        using (await limiter.AcquireAsync())
        {
        }

        Assert.Equal("dedao:gateway:ratelimit:test:ip:192.0.2.1", limiter.Key);
        var ttl = await a.Multiplexer.GetDatabase().KeyTimeToLiveAsync(limiter.Key);
        // One token spent at 5 an hour refills in 720 s, plus a second of slack.
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(700), TimeSpan.FromSeconds(721));
    }

    [Fact]
    public async Task Tokens_come_back_at_the_configured_rate()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var a = await Replica.ConnectAsync(redis);
        using var limiter = a.Store.CreateLimiter("test",
            new RateLimitPolicyOptions { PermitLimit = 2, TokensPerPeriod = 2, ReplenishmentPeriod = TimeSpan.FromMilliseconds(600) }, "user:1");

        Assert.True((await limiter.AcquireAsync()).IsAcquired);
        Assert.True((await limiter.AcquireAsync()).IsAcquired);
        using var rejected = await limiter.AcquireAsync();
        Assert.False(rejected.IsAcquired);
        Assert.InRange(Metadata(rejected, MetadataName.RetryAfter), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(300));

        await Poll.UntilAsync(async () =>
        {
            using var lease = await limiter.AcquireAsync();
            return lease.IsAcquired;
        }, TimeSpan.FromSeconds(5), () => "a token is back after about 300 ms");
    }

    [Fact]
    public async Task Redis_down_each_replica_limits_locally_and_quickly()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        var time = new FakeTimeProvider();
        await using var a = await Replica.ConnectAsync(redis, ShortTimeout, time);
        await using var b = await Replica.ConnectAsync(redis, ShortTimeout, time);
        var policy = PerHour(3);
        redis.Kill();

        foreach (var replica in new[] { a, b })
        {
            using var limiter = replica.Store.CreateLimiter("test", policy, "user:1");
            for (var i = 0; i < 3; i++)
            {
                using var lease = await AcquireWithinTimeoutAsync(limiter, time);
                Assert.True(lease.IsAcquired, $"request {i + 1} of 3 is admitted");
                Assert.Equal(GatewayRateLimitMetadata.LocalStore, Metadata(lease, GatewayRateLimitMetadata.Store));
                Assert.Equal(2 - i, Metadata(lease, GatewayRateLimitMetadata.Remaining));
            }

            using var rejected = await AcquireWithinTimeoutAsync(limiter, time);
            Assert.False(rejected.IsAcquired, "still limited without Redis");
            Assert.True(Metadata(rejected, MetadataName.RetryAfter) > TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Hung_Redis_costs_a_request_at_most_the_timeout()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        var time = new FakeTimeProvider();
        await using var a = await Replica.ConnectAsync(redis, ShortTimeout, time);
        using var limiter = a.Store.CreateLimiter("test", PerHour(3), "user:1");
        Assert.True((await limiter.AcquireAsync()).IsAcquired);

        await redis.PauseAsync();
        try
        {
            using var first = await AcquireWithinTimeoutAsync(limiter, time);
            Assert.True(first.IsAcquired);
            Assert.Equal(GatewayRateLimitMetadata.LocalStore, Metadata(first, GatewayRateLimitMetadata.Store));
            for (var i = 0; i < 3; i++)
            {
                using var next = await AcquireWithinTimeoutAsync(limiter, time);
                Assert.Equal(GatewayRateLimitMetadata.LocalStore, Metadata(next, GatewayRateLimitMetadata.Store));
                Assert.Equal(i < 2, next.IsAcquired);
            }
        }
        finally
        {
            await redis.ResumeAsync();
        }
    }

    [Fact]
    public async Task The_synchronous_attempt_neither_waits_on_Redis_nor_spends_a_token()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        var time = new FakeTimeProvider();
        await using var a = await Replica.ConnectAsync(redis, ShortTimeout, time);
        using var limiter = a.Store.CreateLimiter("test", PerHour(3), "user:1");

        await redis.PauseAsync();
        try
        {
            // Run off the test's thread: an attempt that waited on the paused Redis would never return on the still clock.
            using var attempt = await Task.Run(() => limiter.AttemptAcquire()).WaitAsync(HangGuard);
            Assert.False(attempt.IsAcquired);
            Assert.False(attempt.TryGetMetadata(GatewayRateLimitMetadata.Store, out _), "no bucket was asked");
        }
        finally
        {
            await redis.ResumeAsync();
        }

        var remaining = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            using var lease = await limiter.AcquireAsync();
            Assert.True(lease.IsAcquired);
            Assert.Equal(GatewayRateLimitMetadata.RedisStore, Metadata(lease, GatewayRateLimitMetadata.Store));
            remaining.Add(Metadata(lease, GatewayRateLimitMetadata.Remaining));
        }

        Assert.Equal([2, 1, 0], remaining);
    }

    [Fact]
    public async Task Redis_back_shared_limiting_resumes_after_the_cool_down()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var a = await Replica.ConnectAsync(redis);
        await using var b = await Replica.ConnectAsync(redis);
        redis.Kill();
        foreach (var replica in new[] { a, b })
        {
            // The first call may wait out the 5 s timeout before the replica notices; the fast fallback is tested above.
            using var lease = await replica.Store.CreateLimiter("test", PerHour(3), "user:down").AcquireAsync();
            Assert.Equal(GatewayRateLimitMetadata.LocalStore, Metadata(lease, GatewayRateLimitMetadata.Store));
        }

        await redis.StartAgainAsync();
        var probe = 0;
        foreach (var replica in new[] { a, b })
        {
            await Poll.UntilAsync(async () =>
            {
                using var lease = await replica.Store.CreateLimiter("test", PerHour(3), $"user:probe{probe++}").AcquireAsync();
                return Metadata(lease, GatewayRateLimitMetadata.Store) == GatewayRateLimitMetadata.RedisStore;
            }, RecoveryDeadline, () => "the replica uses Redis again");
        }

        var policy = PerHour(4);
        using var onA = a.Store.CreateLimiter("test", policy, "user:after");
        using var onB = b.Store.CreateLimiter("test", policy, "user:after");
        var admitted = 0;
        for (var i = 0; i < 8; i++)
        {
            using var lease = await (i % 2 == 0 ? onA : onB).AcquireAsync();
            admitted += lease.IsAcquired ? 1 : 0;
        }

        Assert.Equal(4, admitted);
    }

    [Fact]
    public async Task Busy_replicas_take_tokens_in_batches_and_never_admit_more_than_the_shared_bucket_gave()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        // A lease as long as the refill period: each replica may hold up to the whole bucket, the hardest case for sharing.
        var lease = TimeSpan.FromHours(10);
        await using var a = await Replica.ConnectAsync(redis, tokenLease: lease);
        await using var b = await Replica.ConnectAsync(redis, tokenLease: lease);
        var policy = new RateLimitPolicyOptions { PermitLimit = 1000, TokensPerPeriod = 1000, ReplenishmentPeriod = lease };
        using var onA = a.Store.CreateLimiter("test", policy, "user:busy");
        using var onB = b.Store.CreateLimiter("test", policy, "user:busy");
        var callsBefore = await RedisCommandStats.CallsAsync(redis.ConnectionString, "eval", "evalsha");

        // 16 callers on the two replicas, each until its first refusal, on a bucket of 1,000 that refills a token in 36 s.
        var admitted = await Task.WhenAll(Enumerable.Range(0, 16).Select(caller => Task.Run(async () =>
        {
            var limiter = caller % 2 == 0 ? onA : onB;
            var count = 0;
            while (true)
            {
                using var acquired = await limiter.AcquireAsync();
                if (!acquired.IsAcquired)
                {
                    return count;
                }

                count++;
            }
        })));

        var calls = await RedisCommandStats.CallsAsync(redis.ConnectionString, "eval", "evalsha") - callsBefore;
        Assert.InRange(admitted.Sum(), 500, 1000);
        Assert.True(calls < admitted.Sum() / 4, $"{calls} calls to Redis for {admitted.Sum()} admitted requests");
    }

    [Fact]
    public async Task A_lease_grows_while_it_runs_out_and_its_leftover_is_forfeited_when_it_ends()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        var time = new FakeTimeProvider();
        var lease = TimeSpan.FromHours(10);
        await using var a = await Replica.ConnectAsync(redis, time: time, tokenLease: lease);
        // 100 tokens per lease, so a replica may hold up to 100; Redis's own clock refills one token in 6 minutes.
        var policy = new RateLimitPolicyOptions { PermitLimit = 100, TokensPerPeriod = 100, ReplenishmentPeriod = lease };
        using var limiter = a.Store.CreateLimiter("test", policy, "user:lease");
        var bucket = $"{new GatewayRateLimitingOptions().KeyPrefix}:test:user:lease";
        async Task<long> SharedTokensAsync() => (long)Math.Floor((double)await a.Multiplexer.GetDatabase().HashGetAsync(bucket, "tokens"));

        // Takes of 1, 2, 4 and 8 tokens, each used up before the lease ends.
        var remaining = new List<long>();
        for (var i = 0; i < 15; i++)
        {
            using var acquired = await limiter.AcquireAsync();
            Assert.True(acquired.IsAcquired);
            remaining.Add(Metadata(acquired, GatewayRateLimitMetadata.Remaining));
        }

        Assert.Equal(85, await SharedTokensAsync());
        Assert.Equal(Enumerable.Range(85, 15).Reverse().Select(n => (long)n), remaining);

        // The 16th takes 16, and the synchronous attempt the middleware makes first can now admit from what is held.
        using (var sixteenth = await limiter.AcquireAsync())
        {
            Assert.True(sixteenth.IsAcquired);
        }

        Assert.Equal(69, await SharedTokensAsync());
        using (var held = limiter.AttemptAcquire())
        {
            Assert.True(held.IsAcquired);
            Assert.Equal(GatewayRateLimitMetadata.RedisStore, Metadata(held, GatewayRateLimitMetadata.Store));
        }

        // The lease ends with 14 tokens held: they are gone, not spent and not returned, and the next take is halved to 8.
        time.Advance(lease);
        using (var forfeited = limiter.AttemptAcquire())
        {
            Assert.False(forfeited.IsAcquired);
        }

        using (var afterwards = await limiter.AcquireAsync())
        {
            Assert.True(afterwards.IsAcquired);
        }

        Assert.Equal(61, await SharedTokensAsync());
    }

    [Fact]
    public async Task A_refusal_stands_until_its_retry_after_without_asking_Redis_again()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        var time = new FakeTimeProvider();
        await using var a = await Replica.ConnectAsync(redis, time: time);
        using var limiter = a.Store.CreateLimiter("test", PerHour(2), "user:flood");
        for (var i = 0; i < 2; i++)
        {
            using var admitted = await limiter.AcquireAsync();
            Assert.True(admitted.IsAcquired);
        }

        using var first = await limiter.AcquireAsync();
        Assert.False(first.IsAcquired);
        var retryAfter = Metadata(first, MetadataName.RetryAfter);
        var calls = await RedisCommandStats.CallsAsync(redis.ConnectionString, "eval", "evalsha");

        // The flood: answered here, the synchronous attempt included, with the Retry-After counting down on this clock.
        time.Advance(retryAfter / 2);
        for (var i = 0; i < 50; i++)
        {
            using var flooded = i % 2 == 0 ? limiter.AttemptAcquire() : await limiter.AcquireAsync();
            Assert.False(flooded.IsAcquired);
            Assert.Equal(retryAfter - retryAfter / 2, Metadata(flooded, MetadataName.RetryAfter));
        }

        Assert.Equal(calls, await RedisCommandStats.CallsAsync(redis.ConnectionString, "eval", "evalsha"));

        // Once the Retry-After has passed, Redis decides again (its own clock has not moved an hour, so it refuses).
        time.Advance(retryAfter);
        using var later = await limiter.AcquireAsync();
        Assert.False(later.IsAcquired);
        Assert.Equal(calls + 1, await RedisCommandStats.CallsAsync(redis.ConnectionString, "eval", "evalsha"));
    }

    private static RateLimitPolicyOptions PerHour(int permits) =>
        new() { PermitLimit = permits, TokensPerPeriod = permits, ReplenishmentPeriod = TimeSpan.FromHours(1) };

    private static T Metadata<T>(RateLimitLease lease, MetadataName<T> name) =>
        lease.TryGetMetadata(name, out var value) ? value! : throw new Xunit.Sdk.XunitException($"The lease has no {name.Name}.");

    /// <summary>
    /// Acquires while Redis gets one <see cref="ShortTimeout"/> of the fake clock. The clock does not move on its own,
    /// so a call that waited on Redis any longer would never finish.
    /// </summary>
    private static async Task<RateLimitLease> AcquireWithinTimeoutAsync(RateLimiter limiter, FakeTimeProvider time)
    {
        var acquiring = limiter.AcquireAsync().AsTask();
        time.Advance(ShortTimeout);
        return await acquiring.WaitAsync(HangGuard);
    }

    /// <summary>A gateway replica: its own connection (configured as AddRedisClient does) and its own store.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private Replica(ConnectionMultiplexer multiplexer, RedisTokenBucketStore store)
        {
            Multiplexer = multiplexer;
            Store = store;
        }

        public ConnectionMultiplexer Multiplexer { get; }

        public RedisTokenBucketStore Store { get; }

        /// <param name="redisTimeout">5 s unless the test is about the timeout, so a loaded machine does not cause fallbacks.</param>
        /// <param name="time">The store's clock for its Redis timeout, cool-down and token leases.</param>
        /// <param name="tokenLease">How long tokens taken ahead of need are held (the default 100 ms unless given).</param>
        public static async Task<Replica> ConnectAsync(
            RateLimitingRedisServer redis, TimeSpan? redisTimeout = null, TimeProvider? time = null, TimeSpan? tokenLease = null)
        {
            var configuration = ConfigurationOptions.Parse(redis.ConnectionString);
            configuration.AbortOnConnectFail = false;
            if (time is not null)
            {
                // Longer than the hang guard, so only the store's own timeout on its clock can end a call to a hung Redis.
                configuration.AsyncTimeout = (int)(2 * HangGuard).TotalMilliseconds;
            }

            var multiplexer = ConnectionMultiplexer.Connect(configuration);
            var store = new RedisTokenBucketStore(
                () => multiplexer,
                Options.Create(new GatewayRateLimitingOptions
                {
                    RedisTimeout = redisTimeout ?? TimeSpan.FromSeconds(5),
                    RedisCoolDown = TimeSpan.FromMilliseconds(500),
                    TokenLease = tokenLease ?? new GatewayRateLimitingOptions().TokenLease,
                }),
                NullLogger<RedisTokenBucketStore>.Instance,
                time);
            // Connected before the test starts its clock, so a request's only wait is its call to Redis.
            await store.WarmUpAsync(CancellationToken.None);
            return new Replica(multiplexer, store);
        }

        public async ValueTask DisposeAsync() => await Multiplexer.DisposeAsync();
    }
}
