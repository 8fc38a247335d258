using System.Collections.Concurrent;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MySqlConnector;
using StackExchange.Redis;

namespace Dedao.Caching.Tests;

/// <summary>The generated storages of <see cref="Book"/> end to end: MariaDB behind Redis behind process memory, in hosts as a service builds them.</summary>
[Collection(CachingServers.Name)]
public sealed class GeneratedTableTests(CachingServersFixture servers)
{
    private static readonly TimeSpan Replication = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task The_generated_storages_serve_the_table_by_key_and_by_shelf()
    {
        using var host = servers.CreateServiceBuilder().Build();
        var books = host.Services.GetRequiredService<IStorage<long, Book>>();
        var shelves = host.Services.GetRequiredService<IStorage<long, IReadOnlyList<Book>>>();

        Assert.Equal("Book 5", (await books.GetAsync(5))?.Title);
        Assert.Null(await books.GetAsync(CachingServersFixture.Books + 1));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), (await books.MultiGetAsync([.. Enumerable.Range(1, 20).Select(i => (long)i)])).Keys.Order());
        Assert.Equal(Enumerable.Range(11, 10).Select(i => (long)i), (await shelves.GetAsync(2))!.Select(b => b.Id).Order());
    }

    [Fact]
    public async Task A_warm_read_touches_neither_Redis_nor_MySQL()
    {
        using var host = servers.CreateServiceBuilder().Build();
        var books = host.Services.GetRequiredService<IStorage<long, Book>>();
        long[] keys = [.. Enumerable.Range(1, 20).Select(i => (long)i)];
        await books.MultiGetAsync(keys);
        var before = await ReadCountersAsync();

        for (var round = 0; round < 50; round++)
        {
            foreach (var key in keys)
            {
                Assert.NotNull(await books.GetAsync(key));
            }

            Assert.Equal(keys.Length, (await books.MultiGetAsync(keys)).Count);
        }

        Assert.Equal(before, await ReadCountersAsync());
    }

    [Fact]
    public async Task A_flood_of_ids_that_do_not_exist_reaches_MySQL_once()
    {
        using var host = servers.CreateServiceBuilder().Build();
        var books = host.Services.GetRequiredService<IStorage<long, Book>>();
        long[] absent = [.. Enumerable.Range(0, 500).Select(_ => Random.Shared.NextInt64(1_000_000, long.MaxValue))];

        Assert.Empty(await books.MultiGetAsync(absent));
        var before = await ReadCountersAsync();
        foreach (var key in absent)
        {
            Assert.Null(await books.GetAsync(key));
        }

        Assert.Equal(before, await ReadCountersAsync());
    }

    [Fact]
    public async Task A_change_on_one_replica_reaches_the_other_within_a_second()
    {
        using var first = servers.CreateServiceBuilder().Build();
        using var second = servers.CreateServiceBuilder().Build();
        var firstBooks = first.Services.GetRequiredService<IStorage<long, Book>>();
        var secondBooks = second.Services.GetRequiredService<IStorage<long, Book>>();
        var secondShelves = second.Services.GetRequiredService<IStorage<long, IReadOnlyList<Book>>>();
        Assert.Equal("Book 7", (await secondBooks.GetAsync(7))?.Title);
        Assert.Contains(await secondShelves.GetAsync(1) ?? [], b => b.Title == "Book 7");
        var title = $"Book 7, edition {Guid.NewGuid():N}";

        await RenameAsync(first, 7, title);
        await firstBooks.DeleteAsync(7);
        await first.Services.GetRequiredService<IStorage<long, IReadOnlyList<Book>>>().DeleteAsync(1);

        await Poll.UntilAsync(async () => (await secondBooks.GetAsync(7))?.Title == title, Replication, () => "the second replica to read the new title");
        Assert.Contains(await secondShelves.GetAsync(1) ?? [], b => b.Title == title);
    }

    [Fact]
    public async Task A_frozen_MySQL_is_answered_with_stale_copies_within_the_fail_safe_timeout()
    {
        using var host = servers.CreateServiceBuilder(settings: new Dictionary<string, string?>
        {
            ["Caching:Defaults:Duration"] = "00:00:00.2",
            ["Caching:Defaults:JitterMaxDuration"] = "00:00:00",
            ["Caching:Defaults:FailSafeTimeout"] = "00:00:00.3",
            ["Caching:Defaults:LoadTimeout"] = "00:00:03",
        }).Build();
        var books = (StorageProxy<long, Book>)host.Services.GetRequiredService<IStorage<long, Book>>();
        // The copy the test is about; a cold first load may outlast the 3 s load timeout on a loaded machine.
        await Poll.UntilAsync(async () => (await books.GetAsync(8))?.Title == "Book 8", TimeSpan.FromSeconds(30), () => "the first read of book 8");

        await using var locker = new MySqlConnection(servers.ConnectionString("cachingdb"));
        await locker.OpenAsync();
        await new MySqlCommand("LOCK TABLES Books WRITE", locker).ExecuteNonQueryAsync();
        try
        {
            await Poll.UntilAsync(async () => await books.Preferred.LookupAsync(8) is { IsStale: true }, TimeSpan.FromSeconds(5), () => "the copy to go stale");
            for (var i = 0; i < 5; i++)
            {
                var read = books.GetAsync(8).AsTask();
                Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(2))));
                Assert.Equal("Book 8", (await read)?.Title);
            }
        }
        finally
        {
            await new MySqlCommand("UNLOCK TABLES", locker).ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_Redis_outage_costs_no_error_and_reads_go_on_to_MySQL()
    {
        using var host = servers.CreateServiceBuilder("redis-outage", new Dictionary<string, string?>
        {
            ["Caching:Defaults:Duration"] = "00:00:00.2",
            ["Caching:Defaults:JitterMaxDuration"] = "00:00:00",
        }).Build();
        var books = host.Services.GetRequiredService<IStorage<long, Book>>();
        long[] keys = [.. Enumerable.Range(31, 20).Select(i => (long)i)];
        Assert.Equal(keys.Length, (await books.MultiGetAsync(keys)).Count);

        await servers.StopAsync("redis-outage");
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        await Poll.UntilAsync(() => Task.FromResult(!redis.IsConnected), TimeSpan.FromSeconds(10), () => "the client to see Redis gone");
        var title = $"Book 31, edition {Guid.NewGuid():N}";
        await RenameAsync(host, 31, title);

        var errors = new ConcurrentBag<Exception>();
        await Poll.UntilAsync(async () =>
        {
            try
            {
                var read = await books.MultiGetAsync(keys);
                Assert.Equal(keys.Length, read.Count);
                return read[31].Title == title && (await books.GetAsync(32))?.Title == "Book 32";
            }
            catch (Exception exception)
            {
                errors.Add(exception);
                return true;
            }
        }, TimeSpan.FromSeconds(10), () => "a read to reach MySQL past the dead Redis");

        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_replica_started_while_Redis_is_down_serves_and_flushes_and_hears_the_other_once_Redis_is_back()
    {
        await servers.StopAsync("redis-restarted");
        using var first = servers.CreateServiceBuilder("redis-restarted").Build();
        using var second = servers.CreateServiceBuilder("redis-restarted").Build();
        await first.StartAsync();
        await second.StartAsync();
        var firstBooks = first.Services.GetRequiredService<IStorage<long, Book>>();
        var secondBooks = (StorageProxy<long, Book>)second.Services.GetRequiredService<IStorage<long, Book>>();
        Assert.Equal("Book 9", (await secondBooks.GetAsync(9))?.Title);

        // Changes and a flush go on without Redis: the flush drops what the process holds and reports the tier it could not reach.
        await RenameAsync(first, 9, $"Book 9, edition {Guid.NewGuid():N}");
        await firstBooks.DeleteAsync(9);
        await Assert.ThrowsAsync<AggregateException>(() => second.Services.GetRequiredService<CacheRegistry>().FlushAsync());
        Assert.Null(await secondBooks.Preferred.LookupAsync(9));

        await servers.StartAsync("redis-restarted");
        await Poll.UntilAsync(() => Task.FromResult(new[] { first, second }.All(h => h.Services.GetRequiredService<IConnectionMultiplexer>().IsConnected)),
            TimeSpan.FromSeconds(30), () => "both replicas to reconnect to Redis");
        await secondBooks.GetAsync(9);
        var title = $"Book 9, edition {Guid.NewGuid():N}";
        await RenameAsync(first, 9, title);

        // The client subscribes again a moment after it reconnects: a change sent before then is not heard, so it is sent
        // until one is.
        await Poll.UntilAsync(async () =>
        {
            if (await secondBooks.Preferred.LookupAsync(9) is null)
            {
                return true;
            }

            await firstBooks.DeleteAsync(9);
            return false;
        }, TimeSpan.FromSeconds(30), () => "the second replica to hear of a change once Redis is back");
        Assert.Equal(title, (await secondBooks.GetAsync(9))?.Title);
        await first.StopAsync();
        await second.StopAsync();
    }

    private static async Task RenameAsync(IHost host, long id, string title)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<LibraryDbContext>().Books
            .Where(b => b.Id == id)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.Title, title));
    }

    /// <summary>Redis's GET and MGET calls and MySQL's index reads (a health check's <c>SELECT 1</c> reads no index).</summary>
    private async Task<(string Redis, long MySqlIndexReads)> ReadCountersAsync()
    {
        var reads = await RedisCommandStats.ReadsAsync(servers.ConnectionString("redis"));

        await using var mysql = new MySqlConnection(servers.ConnectionString("cachingdb"));
        await mysql.OpenAsync();
        await using var reader = await new MySqlCommand("SHOW GLOBAL STATUS LIKE 'Handler_read_key'", mysql).ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reads, long.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture));
    }
}
