using System.Collections.Concurrent;

namespace Dedao.Hosting.Orchestration;

/// <summary>What the AppHost tells its user on the console: state changes and the ready line.</summary>
internal sealed partial class Orchestrator
{
    private readonly ConcurrentDictionary<ResourceInstance, string> _announced = new();

    private async Task ReportReadyAsync()
    {
        try
        {
            await Task.WhenAll(_instances.Keys.Select(r => Notifications.WaitAsync(r.Name, i => i.IsReady, _stopping.Token)));
        }
        catch (Exception e) when (e is OperationCanceledException or DistributedApplicationException)
        {
            return;
        }

        var external = builder.Resources.OfType<IResourceWithEndpoint>().Where(r => r.Http.IsExternal)
            .Select(r => $"{r.Name} {r.Http.Url(0)}");
        _console.Host($"ready in {_clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", external.Append($"dashboard {DashboardUrl}"))}");
    }

    private void Announce(ResourceInstance instance)
    {
        var line = $"{instance.State}{(instance.Health is { } health ? $" ({health})" : "")}";
        if (_announced.TryGetValue(instance, out var previous) && previous == line)
        {
            return;
        }

        _announced[instance] = line;
        var where = instance.State == KnownResourceStates.Running ? $"  {string.Join(" ", instance.Endpoints)}" : "";
        _console.Host($"{instance.Name,-12} {line}{where}");
    }
}
