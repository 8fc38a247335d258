using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Applies a service's EF Core migrations before it starts listening, as eShop's <c>AddMigration</c> does.</summary>
public static class MigrationExtensions
{
    private static readonly ActivitySource Source = new("Dedao.Migrations");
    private static readonly TimeSpan MigrationCommandTimeout = TimeSpan.FromMinutes(2);

    public static IServiceCollection AddMigration<TContext>(this IServiceCollection services,
        Func<TContext, IServiceProvider, CancellationToken, Task>? seed = null)
        where TContext : DbContext
    {
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(Source.Name));
        return services.AddHostedService(sp => new MigrationHostedService<TContext>(sp, seed));
    }

    private sealed class MigrationHostedService<TContext>(IServiceProvider services,
        Func<TContext, IServiceProvider, CancellationToken, Task>? seed) : IHostedService
        where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            using var activity = Source.StartActivity($"Migrating {typeof(TContext).Name}");
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            var logger = scope.ServiceProvider.GetRequiredService<ILogger<TContext>>();
            // Schema changes may take far longer than the short timeout every request has.
            context.Database.SetCommandTimeout(MigrationCommandTimeout);
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await context.Database.MigrateAsync(cancellationToken);
                if (seed is not null)
                {
                    await seed(context, scope.ServiceProvider, cancellationToken);
                }
            });
            logger.LogInformation("Database of {Context} is migrated", typeof(TContext).Name);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
