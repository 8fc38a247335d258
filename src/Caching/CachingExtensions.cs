using Dedao.Caching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.Hosting;

public static class CachingExtensions
{
    /// <summary>
    /// The multi-level cache: storages registered with <see cref="AddStorage"/> (or generated, <c>AddCachedTables()</c>) get an
    /// in-process tier and, when an <c>IConnectionMultiplexer</c> is registered (<c>AddRedisClient</c>), a Redis tier and the
    /// backplane; <c>Caching:Mode</c> picks fewer tiers, <c>Caching:Defaults</c> and <c>Caching:Storages:&lt;name&gt;</c> the
    /// <see cref="StorageOptions"/>. Metrics go to OpenTelemetry under <see cref="CacheMetrics.MeterName"/>.
    /// </summary>
    public static IHostApplicationBuilder AddMultiLevelCache(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<CacheMetrics>();
        builder.Services.TryAddSingleton<CacheRegistry>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(CacheMetrics.MeterName));
        return builder;
    }

    /// <summary>Registers <c>IStorage&lt;TKey, TValue&gt;</c>: the cache's tiers in front of <paramref name="source"/>.</summary>
    /// <param name="name">Names the storage in Redis keys, metrics and configuration.</param>
    public static IServiceCollection AddStorage<TKey, TValue>(this IServiceCollection services, string name,
        Func<IServiceProvider, StorageOptions, SourceStorage<TKey, TValue>> source)
        where TKey : notnull, IParsable<TKey>
        where TValue : class
    {
        services.AddOptions<StorageOptions>(name).Configure<IConfiguration>((options, configuration) =>
        {
            configuration.GetSection("Caching:Defaults").Bind(options);
            configuration.GetSection($"Caching:Storages:{name}").Bind(options);
        });
        services.AddSingleton(sp => sp.GetRequiredService<CacheRegistry>().Compose(name, source));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StorageWarmUp<TKey, TValue>>());
        return services;
    }

    /// <summary>The path the AppHost's "Flush caches" command posts to.</summary>
    public const string FlushPath = "/internal/cache/flush";

    /// <summary>
    /// <c>POST /internal/cache/flush</c>: drops every copy this service's storages hold, on every replica and in Redis.
    /// The gateway does not route <c>/internal</c>; who else may flush is the service's to say, with the builder returned.
    /// </summary>
    public static RouteHandlerBuilder MapCacheFlush(this IEndpointRouteBuilder app) =>
        app.MapPost(FlushPath, async (CacheRegistry caches, CancellationToken cancellationToken) =>
        {
            await caches.FlushAsync(cancellationToken);
            return TypedResults.Ok(new { flushed = caches.Names });
        });
}
