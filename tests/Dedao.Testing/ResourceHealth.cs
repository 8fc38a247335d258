using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dedao.Testing;

/// <summary>
/// Waits for the resources of a started app to be healthy. When one is not, the exception names each resource that is
/// not, its health reports and the end of its console, so that a CI log alone says why.
/// </summary>
public static class ResourceHealth
{
    private const int TailLines = 40;

    /// <summary>
    /// The resources named, or else every resource the dashboard shows: Aspire's hidden helpers (a project's
    /// rebuilder, say) run only when asked to.
    /// </summary>
    public static async Task WaitForAllHealthyAsync(DistributedApplication app, TimeSpan timeout, params string[] names)
    {
        if (names.Length == 0)
        {
            names = [.. app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Select(r => r.Name)
                .Where(name => !app.ResourceNotifications.TryGetCurrentState(name, out var current) || !current.Snapshot.IsHidden)];
        }

        using var deadline = new CancellationTokenSource(timeout);
        // Cancelled at the end too, so that the waits still running then do not outlive the call.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        // A project that crashes is restarted by the AppHost: a crash is not yet the answer, the deadline is.
        var healthy = Task.WhenAll(names.Select(name =>
            app.ResourceNotifications.WaitForResourceHealthyAsync(name, WaitBehavior.WaitOnResourceUnavailable, waiting.Token)));
        // A resource that failed to start is never tried again: waiting out the deadline for it would only delay the answer.
        var failedToStart = Task.WhenAny(names.Select(name => app.ResourceNotifications.WaitForResourceAsync(name,
            notice => notice.Snapshot.State?.Text == KnownResourceStates.FailedToStart, waiting.Token)));
        try
        {
            if (await Task.WhenAny(healthy, failedToStart) == failedToStart && (await failedToStart).IsCompletedSuccessfully)
            {
                throw new InvalidOperationException(
                    $"A resource failed to start, and Aspire does not start it again:{Environment.NewLine}{await DescribeAsync(app, names)}");
            }

            await healthy;
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"Not every resource was healthy within {timeout}:{Environment.NewLine}{await DescribeAsync(app, names)}", e);
        }
        finally
        {
            await waiting.CancelAsync();
        }
    }

    /// <summary>Each of <paramref name="names"/> that is not running and healthy: state, health reports, console tail.</summary>
    public static async Task<string> DescribeAsync(DistributedApplication app, IEnumerable<string> names)
    {
        var report = new StringBuilder();
        foreach (var name in names)
        {
            if (!app.ResourceNotifications.TryGetCurrentState(name, out var current))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"{name}: no state reported");
                continue;
            }

            var snapshot = current.Snapshot;
            if (snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy)
            {
                continue;
            }

            report.AppendLine(CultureInfo.InvariantCulture,
                $"{name}: state {snapshot.State?.Text ?? "none"}, health {snapshot.HealthStatus?.ToString() ?? "none"}, exit code {snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}, restarts {snapshot.Properties.FirstOrDefault(p => p.Name == "restarts")?.Value ?? 0}");
            foreach (var check in snapshot.HealthReports.Where(r => r.Status != HealthStatus.Healthy))
            {
                // The first line of the exception says why; its stack trace says only where the check failed.
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"    check {check.Name}: {check.Status?.ToString() ?? "not run"} {check.Description} {check.ExceptionText?.Split('\n')[0]}");
            }

            foreach (var line in await TailAsync(app, name))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"    | {line}");
            }
        }

        return report.ToString();
    }

    private static async Task<IEnumerable<string>> TailAsync(DistributedApplication app, string name)
    {
        var lines = await ResourceConsole.LinesAsync(app, name);

        // The console comes before DCP's own lines ("[sys] …"). Each line starts with its ISO 8601 time, which puts them
        // in order; a stable sort on that alone keeps a stack trace, logged all at one time, as it was.
        return lines.OrderBy(line => line.Split(' ', 2)[0], StringComparer.Ordinal).TakeLast(TailLines);
    }
}
