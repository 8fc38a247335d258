using Dedao.Gateway.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>The gateway's rate limiting: token buckets in Redis shared by all replicas, a local fallback per replica.</summary>
public static class GatewayRateLimitingExtensions
{
    private const string RedisConnectionName = "redis";

    /// <summary>
    /// Registers ASP.NET Core rate limiting with one named policy per <c>RateLimiting:Policies:{name}</c> entry, for
    /// YARP routes to name in <c>RateLimiterPolicy</c>. Uses the registered <see cref="IConnectionMultiplexer"/>, or
    /// adds the <c>redis</c> client (<c>ConnectionStrings:redis</c>) when there is none yet.
    /// </summary>
    public static TBuilder AddGatewayRateLimiting<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<GatewayRateLimitingOptions>()
            .Bind(builder.Configuration.GetSection(GatewayRateLimitingOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayRateLimitingOptions>, GatewayRateLimitingOptionsValidator>());

        if (!services.Any(service => service.ServiceType == typeof(IConnectionMultiplexer)))
        {
            builder.AddRedisClient(RedisConnectionName);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new RedisTokenBucketStore(
            provider.GetRequiredService<IConnectionMultiplexer>,
            provider.GetRequiredService<IOptions<GatewayRateLimitingOptions>>(),
            provider.GetRequiredService<ILogger<RedisTokenBucketStore>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService<RedisConnectionWarmUp>();

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<GatewayRateLimitingOptions>, RedisTokenBucketStore>((limiter, options, store) =>
            {
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.OnRejected = RateLimitRejection.WriteAsync;
                foreach (var (name, policy) in options.Value.Policies)
                {
                    limiter.AddPolicy(name, new GatewayRateLimiterPolicy(name, policy, store));
                }
            });
        return builder;
    }

    /// <summary>
    /// The rate limiting middleware plus the one that writes X-RateLimit-Limit/Remaining on admitted responses.
    /// Place it after <c>UseAuthentication</c> (users are limited by <c>sub</c>) and after routing, which a
    /// WebApplication does first anyway (the policy comes from the endpoint).
    /// </summary>
    public static IApplicationBuilder UseGatewayRateLimiting(this IApplicationBuilder app)
    {
        app.UseMiddleware<RateLimitHeadersMiddleware>();
        return app.UseRateLimiter();
    }

    /// <summary>
    /// Connects to Redis before the server takes requests (at most the multiplexer's connect timeout when Redis is
    /// down), so the first requests are limited in Redis rather than locally.
    /// </summary>
    private sealed class RedisConnectionWarmUp(RedisTokenBucketStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.WarmUpAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
