using System.Threading.RateLimiting;

namespace Dedao.Gateway.RateLimiting;

/// <summary>What a gateway lease tells besides acquired or not; <see cref="MetadataName.RetryAfter"/> is set on rejections.</summary>
public static class GatewayRateLimitMetadata
{
    /// <summary>The bucket size of the policy (X-RateLimit-Limit).</summary>
    public static MetadataName<long> Limit { get; } = MetadataName.Create<long>("DEDAO_RATELIMIT_LIMIT");

    /// <summary>Whole tokens left in the partition's bucket after this request (X-RateLimit-Remaining).</summary>
    public static MetadataName<long> Remaining { get; } = MetadataName.Create<long>("DEDAO_RATELIMIT_REMAINING");

    /// <summary>Which bucket answered: <c>redis</c> (shared by all replicas) or <c>local</c> (this replica's fallback).</summary>
    public static MetadataName<string> Store { get; } = MetadataName.Create<string>("DEDAO_RATELIMIT_STORE");

    public const string RedisStore = "redis";
    public const string LocalStore = "local";
}

/// <summary>An answer of the gateway's token bucket. Holds nothing to release: the tokens are spent when granted.</summary>
internal sealed class GatewayRateLimitLease(bool isAcquired, long limit, long remaining, TimeSpan? retryAfter, string store)
    : RateLimitLease
{
    private static readonly string[] AcquiredMetadata =
        [GatewayRateLimitMetadata.Limit.Name, GatewayRateLimitMetadata.Remaining.Name, GatewayRateLimitMetadata.Store.Name];

    private static readonly string[] RejectedMetadata = [.. AcquiredMetadata, MetadataName.RetryAfter.Name];

    public override bool IsAcquired { get; } = isAcquired;

    public long Limit { get; } = limit;

    public long Remaining { get; } = remaining;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public override IEnumerable<string> MetadataNames => RetryAfter is null ? AcquiredMetadata : RejectedMetadata;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName switch
        {
            _ when metadataName == GatewayRateLimitMetadata.Limit.Name => Limit,
            _ when metadataName == GatewayRateLimitMetadata.Remaining.Name => Remaining,
            _ when metadataName == GatewayRateLimitMetadata.Store.Name => store,
            _ when metadataName == MetadataName.RetryAfter.Name && RetryAfter is { } retryAfter => retryAfter,
            _ => null,
        };
        return metadata is not null;
    }
}

/// <summary>The synchronous attempt's answer: not acquired, and no metadata, since no bucket was asked.</summary>
internal sealed class UndecidedLease : RateLimitLease
{
    public static readonly UndecidedLease Instance = new();

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => [];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }
}
