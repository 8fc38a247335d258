using Microsoft.Extensions.Options;

namespace Dedao.Gateway.RateLimiting;

/// <summary>
/// The <c>RateLimiting</c> section: one named token-bucket policy per route group, plus how the shared Redis
/// counters are reached. YARP routes name a policy in their <c>RateLimiterPolicy</c> property.
/// </summary>
public sealed class GatewayRateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>The policies by name. "Default" and "Disable" are YARP's reserved words and are refused.</summary>
    public Dictionary<string, RateLimitPolicyOptions> Policies { get; } = new(StringComparer.Ordinal);

    /// <summary>Prefix of every Redis key: <c>{KeyPrefix}:{policy}:{partition}</c>.</summary>
    public string KeyPrefix { get; set; } = "dedao:gateway:ratelimit";

    /// <summary>The longest a request waits on Redis before this replica answers from its local bucket instead.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After a Redis failure, how long this replica limits locally before it tries Redis again.</summary>
    public TimeSpan RedisCoolDown { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a replica may hold tokens taken ahead of need from a busy partition's shared bucket, spending them
    /// without asking Redis. It holds at most what the bucket refills meanwhile, so for a policy refilling less than two
    /// tokens per lease (the shipped ones) every request asks Redis. Zero turns batching off.
    /// </summary>
    public TimeSpan TokenLease { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>A token bucket per partition (user or client address).</summary>
public sealed class RateLimitPolicyOptions
{
    /// <summary>The bucket size: the most requests a partition can make in a burst.</summary>
    public int PermitLimit { get; set; }

    /// <summary>Tokens added back every <see cref="ReplenishmentPeriod"/> (in Redis continuously, pro rata).</summary>
    public int TokensPerPeriod { get; set; }

    public TimeSpan ReplenishmentPeriod { get; set; }
}

internal sealed class GatewayRateLimitingOptionsValidator : IValidateOptions<GatewayRateLimitingOptions>
{
    // YARP reads these route values itself ("Default" = only the global limiter, "Disable" = none), case-insensitively,
    // so a policy with such a name could never be selected by a route.
    private static readonly string[] ReservedNames = ["Default", "Disable"];

    public ValidateOptionsResult Validate(string? name, GatewayRateLimitingOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.KeyPrefix))
        {
            failures.Add("RateLimiting:KeyPrefix must not be empty.");
        }

        if (options.RedisTimeout <= TimeSpan.Zero)
        {
            failures.Add("RateLimiting:RedisTimeout must be positive.");
        }

        if (options.RedisCoolDown < TimeSpan.Zero)
        {
            failures.Add("RateLimiting:RedisCoolDown must not be negative.");
        }

        if (options.TokenLease < TimeSpan.Zero)
        {
            failures.Add("RateLimiting:TokenLease must not be negative.");
        }

        foreach (var (policyName, policy) in options.Policies)
        {
            var key = $"RateLimiting:Policies:{policyName}";
            if (ReservedNames.Any(reserved => string.Equals(reserved, policyName, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"{key}: '{policyName}' is reserved by YARP's RateLimiterPolicy; choose another name.");
            }

            if (policy.PermitLimit <= 0)
            {
                failures.Add($"{key}:PermitLimit must be positive.");
            }

            if (policy.TokensPerPeriod <= 0)
            {
                failures.Add($"{key}:TokensPerPeriod must be positive.");
            }

            if (policy.ReplenishmentPeriod < TimeSpan.FromMilliseconds(1))
            {
                failures.Add($"{key}:ReplenishmentPeriod must be at least one millisecond.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
