using Dedao.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Dedao.Caching.Tests;

/// <summary>The tiers each <see cref="CacheMode"/> builds, and the flush that the dashboard's command runs.</summary>
[Collection(CachingServers.Name)]
public sealed class CacheRegistryTests(CachingServersFixture servers)
{
    [Theory]
    [InlineData(CacheMode.Objects, "MemoryStorage`2 > RedisStorage`2 > BookByIdTable")]
    [InlineData(CacheMode.Bytes, "SerializedMemoryStorage`2 > RedisStorage`2 > BookByIdTable")]
    [InlineData(CacheMode.Redis, "RedisStorage`2 > BookByIdTable")]
    [InlineData(CacheMode.None, "BookByIdTable")]
    public async Task Each_mode_stacks_its_tiers_and_serves_the_table(CacheMode mode, string tiers)
    {
        using var host = servers.CreateServiceBuilder(settings: new Dictionary<string, string?> { ["Caching:Mode"] = mode.ToString() }).Build();
        var books = host.Services.GetRequiredService<IStorage<long, Book>>();

        Assert.Equal(tiers, Describe(books));
        Assert.Equal("Book 3", (await books.GetAsync(3))?.Title);
        Assert.Equal("Book 3", (await books.GetAsync(3))?.Title);
    }

    [Fact]
    public async Task A_flush_drops_every_copy_on_every_replica_and_in_Redis()
    {
        using var first = servers.CreateServiceBuilder().Build();
        using var second = servers.CreateServiceBuilder().Build();
        var firstBooks = (StorageProxy<long, Book>)first.Services.GetRequiredService<IStorage<long, Book>>();
        var secondBooks = (StorageProxy<long, Book>)second.Services.GetRequiredService<IStorage<long, Book>>();
        await firstBooks.GetAsync(4);
        await secondBooks.GetAsync(4);

        await first.Services.GetRequiredService<CacheRegistry>().FlushAsync();

        Assert.Null(await firstBooks.Preferred.LookupAsync(4));
        await Poll.UntilAsync(async () => await secondBooks.Preferred.LookupAsync(4) is null, TimeSpan.FromSeconds(1), () => "the second replica to drop its copy");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(servers.ConnectionString("redis"));
        Assert.False(await redis.GetDatabase().KeyExistsAsync($"cache:{BookByIdTable.StorageName}:4"));
    }

    [Fact]
    public async Task Every_storage_is_built_and_on_the_backplane_as_the_host_starts_before_its_first_read()
    {
        using var host = servers.CreateServiceBuilder().Build();
        var registry = host.Services.GetRequiredService<CacheRegistry>();
        Assert.Empty(registry.Names);

        await host.StartAsync();

        Assert.Equal([BookByIdTable.StorageName, BookByShelfIdTable.StorageName], registry.Names.Order());
        await host.StopAsync();
    }

    private static string Describe(IStorage<long, Book> storage) => storage is StorageProxy<long, Book> proxy
        ? $"{proxy.Preferred.GetType().Name} > {Describe(proxy.Backup)}"
        : storage.GetType().Name;
}
