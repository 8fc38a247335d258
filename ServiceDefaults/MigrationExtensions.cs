using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;
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
                // Replicas start together: under a named lock one migrates and seeds, and the others then find it done
                // (a seed's "is it empty?" is no guard against a replica asking at the same moment).
                await CreateDatabaseAsync(context, cancellationToken);
                await context.Database.OpenConnectionAsync(cancellationToken);
                try
                {
                    var acquired = await context.Database
                        .SqlQuery<int?>($"SELECT GET_LOCK({LockName}, {(int)MigrationCommandTimeout.TotalSeconds}) AS `Value`")
                        .SingleAsync(cancellationToken);
                    if (acquired != 1)
                    {
                        throw new TimeoutException($"Another replica held the migration lock of {typeof(TContext).Name} for {MigrationCommandTimeout}.");
                    }

                    await context.Database.MigrateAsync(cancellationToken);
                    if (seed is not null)
                    {
                        await seed(context, scope.ServiceProvider, cancellationToken);
                    }
                }
                finally
                {
                    // Closing the connection releases the lock too, but a pooled connection is only reset when reused.
                    await context.Database.ExecuteSqlAsync($"DO RELEASE_LOCK({LockName})", CancellationToken.None);
                    await context.Database.CloseConnectionAsync();
                }
            });
            logger.LogInformation("Database of {Context} is migrated", typeof(TContext).Name);
        }

        // The lock needs a connection to the database, so creating it (as Migrate would) comes first; replicas may race to.
        private static async Task CreateDatabaseAsync(TContext context, CancellationToken cancellationToken)
        {
            var creator = context.GetService<IRelationalDatabaseCreator>();
            if (await creator.ExistsAsync(cancellationToken))
            {
                return;
            }

            try
            {
                await creator.CreateAsync(cancellationToken);
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DatabaseCreateExists)
            {
                // Another replica was first.
            }
        }

        private static string LockName => $"dedao:migrate:{typeof(TContext).Name}";

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
