using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dedao.Testing;

/// <summary>The process that serves a project resource, the one a crash takes down.</summary>
public static class ServiceProcess
{
    private const string PidProperty = "executable.pid";
    private const string RestartsProperty = "restarts";

    /// <summary>
    /// The process of an executable resource: the server's own, or the service's, since the AppHost starts each service
    /// from its build output, not through <c>dotnet run</c>.
    /// </summary>
    public static LinuxProcess Of(CustomResourceSnapshot snapshot)
    {
        var pid = snapshot.Properties.Single(p => p.Name == PidProperty).Value switch
        {
            int value => value,
            long value => (int)value,
            var value => int.Parse(value?.ToString() ?? "", System.Globalization.CultureInfo.InvariantCulture),
        };
        return LinuxProcess.Read(pid) ?? throw new InvalidOperationException($"the snapshot names process {pid}, which is not running");
    }

    /// <summary>SIGKILL (<c>kill -9</c>) of what serves <paramref name="resource"/>; the AppHost then starts it again.</summary>
    public static KilledService Kill(DistributedApplication app, string resource)
    {
        var snapshot = app.ResourceNotifications.TryGetCurrentState(resource, out var current)
            ? current.Snapshot : throw new InvalidOperationException($"{resource} is not in the app model");
        var process = Of(snapshot);
        process.Kill();
        return new KilledService(resource, process, Restarts(snapshot));
    }

    /// <summary>Waits until the AppHost has started the killed service again and it is healthy.</summary>
    public static async Task WaitUntilRestartedAsync(DistributedApplication app, KilledService killed, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(killed.Resource, e => Restarts(e.Snapshot) > killed.RestartsBefore
                && e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy, deadline.Token);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"{killed.Resource} did not come back within {timeout}:{Environment.NewLine}" +
                await ResourceHealth.DescribeAsync(app, [killed.Resource]), e);
        }
    }

    private static int Restarts(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == RestartsProperty)?.Value is int restarts ? restarts : 0;
}

/// <summary>A service killed by <see cref="ServiceProcess.Kill"/>: the process that served it, and its restarts until then.</summary>
public sealed record KilledService(string Resource, LinuxProcess Process, int RestartsBefore);
