using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Dedao.ServiceDefaults.Apis;

public static class IdempotencyExtensions
{
    /// <summary>
    /// Keeps the answers of <see cref="RequireIdempotencyKey{TBody}"/> routes in <typeparamref name="TContext"/>'s database,
    /// for <see cref="IdempotencyStore.Retention"/>.
    /// </summary>
    public static IServiceCollection AddIdempotency<TContext>(this IServiceCollection services) where TContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<IdempotencyPruner>();
        services.AddSingleton<IdempotentWork>();
        // Singleton, as a pooled context's options are.
        services.ConfigureDbContext<TContext>((sp, db) => db.AddInterceptors(sp.GetRequiredService<IdempotentWork>()), ServiceLifetime.Singleton);
        return services.AddSingleton(sp => new IdempotencyStore(
            sp.GetRequiredService<IServiceScopeFactory>(), typeof(TContext), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
    }

    /// <summary>The route needs an <c>Idempotency-Key</c>; a repeat gets the first answer (api.md, Conventions).</summary>
    public static RouteHandlerBuilder RequireIdempotencyKey<TBody>(this RouteHandlerBuilder route) =>
        route.AddEndpointFilter<IdempotencyFilter<TBody>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
