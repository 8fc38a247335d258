// Ours only because the feed does not serve Aspire.Pomelo.EntityFrameworkCore.MySql: same method, settings and keys.
using Aspire.Pomelo.EntityFrameworkCore.MySql;
using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.Hosting;

/// <summary>Aspire's <c>AddMySqlDbContext</c>: a pooled Pomelo context over MySqlConnector, with retries, a health check, tracing and metrics.</summary>
public static class MySqlDbContextExtensions
{
    private const string DefaultConfigSectionName = "Aspire:Pomelo:EntityFrameworkCore:MySql";

    // MySqlConnector names its ActivitySource and its Meter alike.
    private const string MySqlConnectorTelemetryName = "MySqlConnector";

    // Within a request's budget: cancelling the request does not stop a command that waits on a frozen server (the
    // KILL QUERY it sends hangs too), the command timeout does. Migrations set their own.
    private const int DefaultCommandTimeoutSeconds = 1;
    // -1: once a command times out, abort its I/O at once instead of waiting on a KILL QUERY a frozen server never runs.
    private const int CancellationTimeoutSeconds = -1;

    private const int MaxRetryCount = 5;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly NoSavepointsInterceptor NoSavepoints = new();

    /// <summary>
    /// Registers a pooled <typeparamref name="TContext"/> on <c>ConnectionStrings:&lt;connectionName&gt;</c>. Settings come from
    /// <c>Aspire:Pomelo:EntityFrameworkCore:MySql</c>, then <c>Aspire:Pomelo:EntityFrameworkCore:MySql:&lt;TContext&gt;</c>,
    /// then <paramref name="configureSettings"/>. The health check is named after the context.
    /// </summary>
    public static void AddMySqlDbContext<TContext>(this IHostApplicationBuilder builder, string connectionName,
        Action<PomeloEntityFrameworkCoreMySqlSettings>? configureSettings = null)
        where TContext : DbContext
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        var contextSectionName = $"{DefaultConfigSectionName}:{typeof(TContext).Name}";
        var settings = new PomeloEntityFrameworkCoreMySqlSettings();
        builder.Configuration.GetSection(DefaultConfigSectionName).Bind(settings);
        builder.Configuration.GetSection(contextSectionName).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } fromConnectionStrings)
        {
            settings.ConnectionString = fromConnectionStrings;
        }

        configureSettings?.Invoke(settings);

        // Failing here, before the host starts, names the missing key instead of a first request's 500.
        if (settings.ConnectionString is not { Length: > 0 } connectionString)
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: reference the '{connectionName}' database from the AppHost, " +
                $"or set it (or '{contextSectionName}:ConnectionString') in configuration.");
        }

        connectionString = WithServiceDefaults(connectionString);

        // A pool builds its options once, so the server is asked for its version once, not per context.
        builder.Services.AddDbContextPool<TContext>(options => options.UseMySql(
            connectionString,
            ServerVersionOf(settings, connectionString),
            mysql =>
            {
                if (!settings.DisableRetry)
                {
                    mysql.ExecutionStrategy(dependencies => new NoRetryOnTimeoutExecutionStrategy(dependencies, MaxRetryCount, MaxRetryDelay));
                }

                mysql.CommandTimeout(settings.CommandTimeout ?? DefaultCommandTimeoutSeconds);
            }).AddInterceptors(NoSavepoints));

        builder.Services.AddWarmUp<DbContextWarmUp<TContext>>();

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(typeof(TContext).Name);
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(MySqlConnectorTelemetryName)
                .AddProcessor(new UnparentedDatabaseCallsFilter(MySqlConnectorTelemetryName)));
        }

        if (!settings.DisableMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(MySqlConnectorTelemetryName));
        }
    }

    /// <summary>
    /// MySqlConnector waits 15 s to connect and, on a timeout or a cancelled request, 2 s more for the server to confirm;
    /// a frozen server would hold a request far past the gateway's 2 s. And it resets a pooled connection each time it is
    /// taken, which on MariaDB is a reset and a <c>SET NAMES</c>: EF takes one per command, so under load a fifth of all
    /// statements were those. No code here leaves session state behind (every transaction names its isolation level,
    /// the migration lock is released), so connections are not reset. Values the connection string names are kept.
    /// </summary>
    private static string WithServiceDefaults(string connectionString)
    {
        var defaults = new MySqlConnectionStringBuilder();
        var builder = new MySqlConnectionStringBuilder(connectionString);
        if (!builder.ContainsKey(nameof(MySqlConnectionStringBuilder.ConnectionReset)))
        {
            builder.ConnectionReset = false;
        }

        if (builder.ConnectionTimeout == defaults.ConnectionTimeout)
        {
            builder.ConnectionTimeout = DependencyTimeouts.MySqlConnectTimeoutSeconds;
        }

        if (builder.CancellationTimeout == defaults.CancellationTimeout)
        {
            builder.CancellationTimeout = CancellationTimeoutSeconds;
        }

        return builder.ConnectionString;
    }

    private static ServerVersion ServerVersionOf(PomeloEntityFrameworkCoreMySqlSettings settings, string connectionString)
    {
        if (settings.ServerVersion is { Length: > 0 } configured)
        {
            return ServerVersion.Parse(configured);
        }

        // The same patience as the retrying execution strategy, for the one round trip made before it exists.
        var detect = settings.DisableRetry
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<MySqlException>(e => e.IsTransient),
                MaxRetryAttempts = MaxRetryCount,
                BackoffType = DelayBackoffType.Exponential,
                MaxDelay = MaxRetryDelay,
            }).Build();
        return detect.Execute(static connectionString => ServerVersion.AutoDetect(connectionString), connectionString);
    }
}
