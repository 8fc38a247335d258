using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Aspire's <c>AddMySqlDbContext</c>: Pomelo over MySqlConnector, with retries, a health check and tracing.</summary>
public static class MySqlDbContextExtensions
{
    public static void AddMySqlDbContext<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: reference the '{connectionName}' database from the AppHost or set it in configuration.");

        // Detecting the version costs a round trip; it is done once, when the first context is built.
        var serverVersion = new Lazy<ServerVersion>(() =>
            builder.Configuration["MySql:ServerVersion"] is { Length: > 0 } configured
                ? ServerVersion.Parse(configured)
                : ServerVersion.AutoDetect(connectionString));

        builder.Services.AddDbContextPool<TContext>(options => options.UseMySql(
            connectionString,
            serverVersion.Value,
            mysql => mysql.EnableRetryOnFailure(maxRetryCount: 5, maxRetryDelay: TimeSpan.FromSeconds(5), errorNumbersToAdd: null)));

        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(connectionName);
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource("MySqlConnector"));
    }
}
