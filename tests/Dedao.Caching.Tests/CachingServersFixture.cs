using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dedao.Caching.Tests;

/// <summary>
/// Real MariaDB and Redis on the AppHost's integrations, started once: <c>redis</c> for every test;
/// <c>redis-outage</c>, which a test stops to see the cache through a Redis outage; and <c>redis-restarted</c>, which a
/// test stops and starts again. The library holds
/// <see cref="Books"/> books, ten to a shelf.
/// </summary>
public sealed class CachingServersFixture : IAsyncLifetime
{
    public const int Books = 200;
    public const int BooksPerShelf = 10;

    private static readonly string[] Resources = ["cachingdb", "redis", "redis-outage", "redis-restarted"];

    private RunningServers? _servers;

    public async Task InitializeAsync()
    {
        var builder = TestAppModel.CreateEmpty();
        builder.AddMySql("mysql").AddDatabase("cachingdb");
        builder.AddRedisServer("redis");
        builder.AddRedisServer("redis-outage");
        builder.AddRedisServer("redis-restarted");
        _servers = await RunningServers.StartAsync(builder, Resources);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var host = CreateServiceBuilder().Build();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LibraryDbContext>();
        await db.Database.EnsureCreatedAsync(timeout.Token);
        db.Books.AddRange(Enumerable.Range(1, Books).Select(id => new Book { Id = id, ShelfId = (id - 1) / BooksPerShelf + 1, Title = $"Book {id}" }));
        await db.SaveChangesAsync(timeout.Token);
    }

    /// <summary>For storages a test builds by hand.</summary>
    public CacheMetrics Metrics { get; } = new();

    public string ConnectionString(string name) => _servers!.ConnectionStrings[name];

    /// <summary>
    /// A service's host on the library: its context, its Redis client (on <paramref name="redis"/>), the multi-level cache
    /// and the generated storages, with <paramref name="settings"/> over the defaults.
    /// </summary>
    public HostApplicationBuilder CreateServiceBuilder(string redis = "redis", IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:cachingdb"] = _servers!.ConnectionStrings["cachingdb"];
        builder.Configuration["ConnectionStrings:redis"] = _servers!.ConnectionStrings[redis];
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddMySqlDbContext<LibraryDbContext>("cachingdb");
        builder.AddRedisClient("redis");
        builder.AddMultiLevelCache();
        builder.Services.AddCachedTables();
        return builder;
    }

    /// <summary>Stops a server as the dashboard's stop button does.</summary>
    public Task StopAsync(string resource) => ExecuteAsync(resource, KnownResourceCommands.StopCommand);

    /// <summary>Starts a stopped server again as the dashboard's start button does, on the same port and password.</summary>
    public Task StartAsync(string resource) => ExecuteAsync(resource, KnownResourceCommands.StartCommand);

    private async Task ExecuteAsync(string resource, string command)
    {
        var result = await _servers!.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command);
        Assert.True(result.Success, result.Message);
    }

    public async Task DisposeAsync()
    {
        Metrics.Dispose();
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CachingServers : ICollectionFixture<CachingServersFixture>
{
    public const string Name = "caching servers";
}
