using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using Microsoft.Extensions.Hosting;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>Real MySQL, Redis and RabbitMQ servers on the AppHost's integrations, started once for the client integration tests.</summary>
public sealed class BackingServersFixture : IAsyncLifetime
{
    private static readonly string[] Resources = ["testdb", "redis", "messaging"];

    private readonly Dictionary<string, string> _connectionStrings = [];
    private DistributedApplication? _app;

    public async Task InitializeAsync()
    {
        var builder = TestAppModel.CreateEmpty();
        builder.AddMySql("mysql").AddDatabase("testdb");
        builder.AddRedisServer("redis");
        builder.AddRabbitMQServer("messaging");
        _app = builder.Build();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _app.StartAsync(timeout.Token);
        foreach (var name in Resources)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
            _connectionStrings[name] = await _app.GetConnectionStringAsync(name, timeout.Token)
                ?? throw new InvalidOperationException($"'{name}' is healthy but has no connection string.");
        }
    }

    /// <summary>A service's host, given the connection strings the AppHost would give it and nothing from this machine's environment.</summary>
    public HostApplicationBuilder CreateServiceBuilder()
    {
        var builder = ServiceHost.CreateBuilder();
        foreach (var (name, connectionString) in _connectionStrings)
        {
            builder.Configuration[$"ConnectionStrings:{name}"] = connectionString;
        }

        return builder;
    }

    public string ConnectionString(string name) => _connectionStrings[name];

    /// <summary>The server behind <paramref name="resource"/> (mysql, redis, messaging), frozen until disposed.</summary>
    public Task<FrozenServer> FreezeAsync(string resource) =>
        FrozenServer.FreezeAsync(_app ?? throw new InvalidOperationException("Not started."), resource);

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
