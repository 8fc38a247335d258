using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dedao.AppHost;

/// <summary>
/// Aspire does not restart a process that dies; this does, through the resource's own Start command, after a back-off
/// that grows 1 s, 2 s, 4 s … 30 s and resets once an instance has stayed up for a minute. The count is the
/// <c>restarts</c> property of the instance in the dashboard. A stop someone asked for (the dashboard's Stop,
/// <c>aspire resource … stop</c>, a test) is no crash, though a process that outlives DCP's graceful stop is killed and ends
/// as a crash does (Finished, code -1): what tells them apart is the Stopping state DCP passes through first. An exit with
/// code 0 is a stop too.
/// </summary>
internal static class RestartOnCrash
{
    public const string RestartsProperty = "restarts";
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    public static IResourceBuilder<T> WithRestartOnCrash<T>(this IResourceBuilder<T> builder) where T : IResource
    {
        var crashes = new ConcurrentDictionary<string, int>();
        var stopsAsked = new ConcurrentDictionary<string, bool>();
        builder.OnInitializeResource(async (resource, initialize, ct) =>
        {
            await foreach (var update in initialize.Notifications.WatchAsync(ct).ConfigureAwait(false))
            {
                if (ReferenceEquals(update.Resource, resource) && update.Snapshot.State?.Text == KnownResourceStates.Stopping)
                {
                    stopsAsked[update.ResourceId] = true;
                }
            }
        });
        return builder.OnResourceStopped(async (resource, stopped, ct) =>
        {
            var services = stopped.Services;
            var snapshot = stopped.ResourceEvent.Snapshot;
            var instance = stopped.ResourceEvent.ResourceId;
            if (stopsAsked.TryRemove(instance, out _) || snapshot.ExitCode is null or 0
                || services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
            {
                return;
            }

            var upFor = snapshot.StartTimeStamp is { } started && snapshot.StopTimeStamp is { } ended ? ended - started : TimeSpan.Zero;
            var attempt = upFor >= StableAfter ? 0 : crashes.GetValueOrDefault(instance);
            var delay = TimeSpan.FromSeconds(Math.Min(MaxDelay.TotalSeconds, Math.Pow(2, attempt)));
            crashes[instance] = attempt + 1;
            var restarts = snapshot.Properties.FirstOrDefault(p => p.Name == RestartsProperty)?.Value is int previous ? previous + 1 : 1;

            var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(instance);
            logger.LogWarning("{Resource} exited with code {ExitCode} ({State}); restart {Restarts} in {Delay} s", resource.Name,
                snapshot.ExitCode, snapshot.State?.Text, restarts, delay.TotalSeconds);

            // The restart must not hold up the event that reported the exit.
            _ = Task.Run(async () =>
            {
                var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                try
                {
                    await Task.Delay(delay, stopping).ConfigureAwait(false);
                    await services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(resource, instance, s => s with
                    {
                        Properties = [.. s.Properties.Where(p => p.Name != RestartsProperty), new ResourcePropertySnapshot(RestartsProperty, restarts)],
                    }).ConfigureAwait(false);
                    var result = await services.GetRequiredService<ResourceCommandService>()
                        .ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand, stopping).ConfigureAwait(false);
                    if (!result.Success)
                    {
                        logger.LogError("Could not restart {Resource}: {Message}", resource.Name, result.Message);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The AppHost is stopping; nothing to restart.
                }
            }, CancellationToken.None);
        });
    }
}
