using System.Diagnostics;
using Dedao.Hosting.Runners;
using Microsoft.Extensions.Configuration;

namespace Dedao.Hosting.Orchestration;

/// <summary>Health: probing what runs, reaching external servers, creating databases.</summary>
internal sealed partial class Orchestrator
{
    private async Task WatchHealthAsync(ResourceInstance instance, ManagedProcess process, Func<CancellationToken, Task> probe,
        TaskCompletionSource healthy, TimeSpan? startTimeout)
    {
        var started = Stopwatch.StartNew();
        string? lastError = null;
        while (!process.Exited.IsCompleted && !_stopping.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            string health;
            try
            {
                await probe(attempt.Token);
                health = "Healthy";
                healthy.TrySetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                health = "Unhealthy";
                lastError = e.Message;
            }

            if (instance.Health != health && !process.Exited.IsCompleted)
            {
                Notifications.Update(instance, i => i.Health = health);
            }

            if (startTimeout is { } limit && !healthy.Task.IsCompleted && started.Elapsed > limit)
            {
                _console.Host($"{instance.Name} did not answer within {limit.TotalSeconds:0} s ({lastError}); stopping it");
                await process.StopAsync(TimeSpan.FromSeconds(5));
                return;
            }

            try
            {
                await Task.WhenAny(process.Exited, Task.Delay(healthy.Task.IsCompleted ? 2000 : 250, _stopping.Token));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task ProbeHttpAsync(ResourceInstance instance, string path, CancellationToken cancellationToken)
    {
        using var response = await HealthClient.GetAsync(new Uri(new Uri(instance.Endpoints[0]), path), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task RunExternalServerAsync(ServerResource server, ResourceInstance instance)
    {
        Notifications.Update(instance, i =>
        {
            i.State = KnownResourceStates.Running;
            i.StartedAt = DateTimeOffset.UtcNow;
            i.Health = "Unhealthy";
        });
        var deadline = Stopwatch.StartNew();
        var patience = builder.Configuration.GetValue("AppHost:ExternalServerTimeout", TimeSpan.FromSeconds(30));
        while (!_stopping.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await _runners[server].Server.ProbeAsync(server, attempt.Token);
                Notifications.Update(instance, i => i.Health = "Healthy");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                if (deadline.Elapsed > patience)
                {
                    FailToStart(instance, $"cannot reach the server of ConnectionStrings:{server.Name} ({e.Message}); check that connection string.");
                    return;
                }
            }

            await Task.Delay(500, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task CreateDatabaseAsync(MySqlDatabaseResource database, ResourceInstance instance)
    {
        Notifications.Update(instance, i => i.State = KnownResourceStates.Starting);
        try
        {
            await MySqlKind.CreateDatabaseAsync(database, _stopping.Token);
        }
        catch (Exception e) when (e is MySqlConnector.MySqlException or InvalidOperationException)
        {
            FailToStart(instance, $"cannot create database {database.DatabaseName}: {e.Message}");
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Notifications.Update(instance, i =>
        {
            i.State = KnownResourceStates.Running;
            i.Health = "Healthy";
            i.StartedAt = DateTimeOffset.UtcNow;
        });
    }
}
