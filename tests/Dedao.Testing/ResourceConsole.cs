using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Dedao.Testing;

/// <summary>What a resource's instance wrote to its console so far, across its restarts, without colour codes.</summary>
public static class ResourceConsole
{
    /// <param name="resource">A resource's name; its current instance is read.</param>
    public static async Task<List<string>> LinesAsync(DistributedApplication app, string resource)
    {
        var instance = app.ResourceNotifications.TryGetCurrentState(resource, out var current)
            ? current.ResourceId : throw new InvalidOperationException($"{resource} is not in the app model");
        var lines = new List<string>();
        await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(instance))
        {
            lines.AddRange(batch.Select(line => ConsoleColours.Remove(line.Content)));
        }

        return lines;
    }
}
