using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Work a service does once, after it starts listening and before it reports healthy. The first request down a path
/// pays for the JIT, EF's first query and first save, and the first call to each dependency: on two cores more than a
/// second, so the first users after a start got the 503 of a spent budget.
/// </summary>
public interface IWarmUp
{
    Task WarmUpAsync(CancellationToken cancellationToken);
}

public static class WarmUpExtensions
{
    /// <summary>A dependency that never answers must not keep the service out of rotation for good.</summary>
    public static readonly TimeSpan EachWarmUpAtMost = TimeSpan.FromSeconds(30);

    /// <summary>The warm-ups run once each, in turn, in one scope; a failed one is logged and does not keep the service unhealthy.</summary>
    public static IServiceCollection AddWarmUp<TWarmUp>(this IServiceCollection services) where TWarmUp : class, IWarmUp
    {
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IWarmUp, TWarmUp>());
        return services;
    }

    /// <summary>The runner and its <c>warm-up</c> health check, unhealthy until every warm-up has run.</summary>
    internal static IServiceCollection AddWarmUpRunner(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WarmUpRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<WarmUpRunner>());
        services.AddHealthChecks().AddCheck<WarmUpRunner>("warm-up");
        return services;
    }
}

internal sealed partial class WarmUpRunner(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider time,
    ILogger<WarmUpRunner> logger)
    : BackgroundService, IHealthCheck
{
    private volatile bool _done;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_done ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Warming up."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // After the other hosted services (migrations among them) have started and the server listens.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(started.SetResult))
        await using (stoppingToken.Register(started.SetCanceled))
        {
            await started.Task;
        }

        var total = Stopwatch.StartNew();
        await using (var scope = scopes.CreateAsyncScope())
        {
            foreach (var warmUp in scope.ServiceProvider.GetServices<IWarmUp>())
            {
                await RunAsync(warmUp, stoppingToken);
            }
        }

        _done = true;
        LogWarmedUp(total.ElapsedMilliseconds);
    }

    private async Task RunAsync(IWarmUp warmUp, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(WarmUpExtensions.EachWarmUpAtMost, time);
        using var stoppingOrTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        var elapsed = Stopwatch.StartNew();
        try
        {
            await warmUp.WarmUpAsync(stoppingOrTimeout.Token);
            LogRan(warmUp.GetType().Name, elapsed.ElapsedMilliseconds);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The first real request does the work instead.
            LogFailed(e, warmUp.GetType().Name, elapsed.ElapsedMilliseconds);
        }
    }

    [LoggerMessage(LogLevel.Information, "Warmed up in {ElapsedMs} ms")]
    private partial void LogWarmedUp(long elapsedMs);

    [LoggerMessage(LogLevel.Debug, "{WarmUp} ran in {ElapsedMs} ms")]
    private partial void LogRan(string warmUp, long elapsedMs);

    [LoggerMessage(LogLevel.Warning, "{WarmUp} failed after {ElapsedMs} ms; the first request will do its work")]
    private partial void LogFailed(Exception exception, string warmUp, long elapsedMs);
}
