using Dedao.Hosting;
using Dedao.Hosting.Testing;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>Real MySQL, Redis and RabbitMQ servers, started once for the client integration tests.</summary>
public sealed class BackingServersFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.AddMySql("mysql").AddDatabase("testdb");
        builder.AddRedis("redis");
        builder.AddRabbitMQ("messaging");
        _app = builder.Build();
        await _app.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        foreach (var name in new[] { "testdb", "redis", "messaging" })
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BackingServers : ICollectionFixture<BackingServersFixture>
{
    public const string Name = "backing servers";
}
