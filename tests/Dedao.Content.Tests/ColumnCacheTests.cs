using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Dedao.Contracts;
using Dedao.Testing;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using StackExchange.Redis;

namespace Dedao.Content.Tests;

/// <summary>The column service's two replicas behind the gateway, each with its cached pages, kept in step.</summary>
[Collection(Content.Name)]
public sealed class ColumnCacheTests(ContentFixture platform)
{
    private const long Column = 17;

    [Fact]
    public async Task An_article_published_on_one_replica_is_on_the_cached_pages_of_both_within_a_second()
    {
        // DCP's proxy deals requests to the replicas in turn: twenty reads warm both.
        for (var i = 0; i < 20; i++)
        {
            await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{Column}"), HttpStatusCode.OK);
        }

        using var response = await Http.SendAsync(platform.Gateway, HttpMethod.Post, $"/api/v1/columns/{Column}/articles", platform.AdminToken,
            new { title = "两个副本都该看到的一讲", content = "正文", isTrial = false });
        var id = (await HttpAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        var published = Stopwatch.StartNew();

        await Poll.UntilAsync(async () =>
        {
            // Ten in a row, so both replicas answer with it, not just the one that took the write.
            for (var i = 0; i < 10; i++)
            {
                if (!await HasArticleAsync(id))
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(1), () => $"article {id} on every replica's page of column {Column}");
        Assert.InRange(published.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task The_dashboard_command_flushes_the_caches_and_the_pages_come_back_from_MySQL()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await platform.App.GetConnectionStringAsync("redis"))!);
        var copy = new RedisKey($"cache:dedao.column.page:{Column}");
        await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{Column}"), HttpStatusCode.OK);
        Assert.True(await redis.GetDatabase().KeyExistsAsync(copy));

        // Given the resource, not a name: the command runs on each of its replicas.
        var column = platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "column");
        var result = await platform.App.ResourceCommands.ExecuteCommandAsync(column, "flush-caches", CancellationToken.None);

        Assert.True(result.Success, result.Message);
        Assert.False(await redis.GetDatabase().KeyExistsAsync(copy));
        await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{Column}"), HttpStatusCode.OK);
        Assert.True(await redis.GetDatabase().KeyExistsAsync(copy));
    }

    [Fact]
    public async Task A_reader_who_read_the_page_while_the_grant_was_being_committed_reads_as_subscribed_within_a_second_of_it()
    {
        const long paidColumn = 9;
        var buyer = await platform.SignUpAsync();
        var path = $"/api/v1/columns/{paidColumn}";

        // The grant's insert waits on this gap lock, so column has handled order.paid but not committed it.
        await using var locker = new MySqlConnection(await platform.App.GetConnectionStringAsync("columndb"));
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var gapLock = new MySqlCommand("SELECT COUNT(*) FROM Subscriptions WHERE UserId = @user FOR UPDATE", locker, transaction))
        {
            gapLock.Parameters.AddWithValue("@user", buyer.UserId.ToString());
            await gapLock.ExecuteScalarAsync();
        }

        var order = Random.Shared.NextInt64(1_000_000_000, long.MaxValue);
        await platform.Bus.PublishAsync(new OrderPaid(order, buyer.UserId, ProductType.Column, paidColumn, 9900, DateTime.UtcNow));
        await Poll.UntilAsync(async () => await platform.CountAsync("columndb",
                "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE '%Subscriptions%'") > 0,
            TimeSpan.FromSeconds(15), () => "column's grant waiting on the lock");
        // Read in between, on both replicas: the uncommitted grant is not seen, and "not subscribed" is what gets cached.
        for (var i = 0; i < 4; i++)
        {
            Assert.False((await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, path, buyer.Token), HttpStatusCode.OK))
                .GetProperty("subscribed").GetBoolean());
        }

        await transaction.RollbackAsync();
        await Poll.UntilAsync(async () => await platform.CountAsync("columndb",
                "SELECT COUNT(*) FROM Subscriptions WHERE UserId = @user", ("@user", buyer.UserId.ToString())) == 1,
            TimeSpan.FromSeconds(15), () => "the grant committed");

        // The copies of "not subscribed" would be kept for the storage's negative duration (30 s): only dropping them
        // once the grant is committed makes the new subscriber one.
        await Poll.UntilAsync(async () =>
        {
            for (var i = 0; i < 4; i++)
            {
                var home = await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, path, buyer.Token), HttpStatusCode.OK);
                if (!home.GetProperty("subscribed").GetBoolean())
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(1), () => $"the new subscriber of column {paidColumn} read as one on both replicas");
    }

    private async Task<bool> HasArticleAsync(long id)
    {
        var home = await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{Column}"), HttpStatusCode.OK);
        return home.GetProperty("articles").EnumerateArray().Any(a => a.GetProperty("id").GetInt64() == id);
    }

    private Task<HttpResponseMessage> Get(string path) => Http.SendAsync(platform.Gateway, HttpMethod.Get, path);
}
