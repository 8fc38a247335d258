using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Dedao.Gateway.RateLimiting;

/// <summary>
/// One configured policy: a bucket per signed-in user (<c>sub</c>), or per client address for anonymous callers.
/// </summary>
public sealed class GatewayRateLimiterPolicy(string name, RateLimitPolicyOptions options, RedisTokenBucketStore store)
    : IRateLimiterPolicy<string>
{
    public string Name { get; } = name;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = RateLimitRejection.WriteAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.Get(PartitionKey(httpContext), key => store.CreateLimiter(Name, options, key));

    /// <summary>
    /// <c>user:{sub}</c> when authenticated, else <c>ip:{address}</c>. The address is the TCP peer's: the gateway is
    /// the edge, so X-Forwarded-For comes from the client and is not trusted. An IPv6 client is keyed by its /64,
    /// the block one subscriber usually holds, so it cannot get a fresh bucket per address.
    /// </summary>
    public static string PartitionKey(HttpContext httpContext)
    {
        foreach (var identity in httpContext.User.Identities)
        {
            if (identity.IsAuthenticated
                && (identity.FindFirst("sub") ?? identity.FindFirst(ClaimTypes.NameIdentifier)) is { Value.Length: > 0 } subject)
            {
                return "user:" + subject.Value;
            }
        }

        return "ip:" + AddressKey(httpContext.Connection.RemoteIpAddress);
    }

    private static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return new IPAddress(bytes).ToString() + "/64";
        }

        return address.ToString();
    }
}
