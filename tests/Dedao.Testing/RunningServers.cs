using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Dedao.Testing;

/// <summary>Backing servers started from a test's app model, healthy, with the connection strings a service would be given.</summary>
public sealed class RunningServers : IAsyncDisposable
{
    private readonly Dictionary<string, string> _connectionStrings;

    private RunningServers(DistributedApplication app, Dictionary<string, string> connectionStrings)
    {
        App = app;
        _connectionStrings = connectionStrings;
    }

    public DistributedApplication App { get; }

    public IReadOnlyDictionary<string, string> ConnectionStrings => _connectionStrings;

    /// <summary>Builds and starts <paramref name="builder"/>'s model and waits until each of <paramref name="resources"/> is healthy.</summary>
    public static async Task<RunningServers> StartAsync(IDistributedApplicationTestingBuilder builder, params string[] resources)
    {
        var app = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await app.StartAsync(timeout.Token);
        var connectionStrings = new Dictionary<string, string>();
        foreach (var name in resources)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
            connectionStrings[name] = await app.GetConnectionStringAsync(name, timeout.Token)
                ?? throw new InvalidOperationException($"'{name}' is healthy but has no connection string.");
        }

        return new RunningServers(app, connectionStrings);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
