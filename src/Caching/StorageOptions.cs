namespace Dedao.Caching;

/// <summary>How long copies live and how hard the source is protected; bound per storage from <c>Caching:Storages:&lt;name&gt;</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>How long a copy is fresh.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Up to this much is added at random to a Redis entry's lifetime, so entries written together do not expire together.</summary>
    public TimeSpan JitterMaxDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a key is remembered to have no value.</summary>
    public TimeSpan NegativeDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a copy past its freshness is kept in memory, to be served while the source fails.</summary>
    public TimeSpan FailSafeMaxDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>With a stale copy at hand, how long a reload may take before the stale copy is served (the reload goes on).</summary>
    public TimeSpan FailSafeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Once a stale copy was served for a failing or slow source, how long it is served at once, without asking the source
    /// again: a frozen database would otherwise cost every read of a hot key the fail-safe timeout, and a failing one a query.
    /// </summary>
    public TimeSpan FailSafeThrottleDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a reload may take at most before the caller gets an error.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many queries this process runs on the source at once for this storage; the rest wait, up to <see cref="LoadTimeout"/>.</summary>
    public int MaxConcurrentLoads { get; set; } = 4;

    /// <summary>How many entries the in-process tier holds.</summary>
    public int MemoryCapacity { get; set; } = 10_000;

    /// <summary>How long a Redis call may take before Redis counts as failed (the client would otherwise queue calls while disconnected).</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After a Redis failure, how long Redis is skipped before it is tried again.</summary>
    public TimeSpan RedisRetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
