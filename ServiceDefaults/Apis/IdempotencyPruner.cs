using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>Every few minutes, forgets the idempotent requests older than <see cref="IdempotencyStore.Retention"/>.</summary>
internal sealed partial class IdempotencyPruner(IdempotencyStore store, TimeProvider time, ILogger<IdempotencyPruner> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.PruneAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The next round tries again; a table a few minutes fuller harms nothing.
                LogPruneFailed(logger, exception);
            }

            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not forget the idempotent requests past their retention")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
