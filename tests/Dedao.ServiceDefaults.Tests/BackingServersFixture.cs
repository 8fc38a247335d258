using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using Microsoft.Extensions.Hosting;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>Real MySQL, Redis and RabbitMQ servers on the AppHost's integrations, started once for the client integration tests.</summary>
public sealed class BackingServersFixture : IAsyncLifetime
{
    private static readonly string[] Resources = ["testdb", "redis", "messaging"];

    private RunningServers? _servers;

    public async Task InitializeAsync()
    {
        var builder = TestAppModel.CreateEmpty();
        builder.AddMySql("mysql").AddDatabase("testdb");
        builder.AddRedisServer("redis");
        builder.AddRabbitMQServer("messaging");
        _servers = await RunningServers.StartAsync(builder, Resources);
    }

    /// <summary>A service's host, given the connection strings the AppHost would give it and nothing from this machine's environment.</summary>
    public HostApplicationBuilder CreateServiceBuilder()
    {
        var builder = ServiceHost.CreateBuilder();
        foreach (var (name, connectionString) in _servers!.ConnectionStrings)
        {
            builder.Configuration[$"ConnectionStrings:{name}"] = connectionString;
        }

        return builder;
    }

    public string ConnectionString(string name) => _servers!.ConnectionStrings[name];

    /// <summary>The server behind <paramref name="resource"/> (mysql, redis, messaging), frozen until disposed.</summary>
    public Task<FrozenServer> FreezeAsync(string resource) =>
        FrozenServer.FreezeAsync(_servers?.App ?? throw new InvalidOperationException("Not started."), resource);

    public async Task DisposeAsync()
    {
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BackingServers : ICollectionFixture<BackingServersFixture>
{
    public const string Name = "backing servers";
}
