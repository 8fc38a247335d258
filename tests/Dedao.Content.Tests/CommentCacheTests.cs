using System.Net;
using Aspire.Hosting.Testing;
using Dedao.Testing;

namespace Dedao.Content.Tests;

/// <summary>Featured comments from comment's multi-level cache: warm lists and counts cost the servers nothing, and featuring shows within a second.</summary>
[Collection(Content.Name)]
public sealed class CommentCacheTests(ContentFixture platform)
{
    // A free column no other comment test writes on: its articles are open to every reader.
    private const long FreeColumn = 8;

    /// <summary>Another column's articles, so one test's featured comments are not on the other's.</summary>
    private const long CountedColumn = 12;
    private static readonly string[] Tables = ["Comments"];

    [Fact]
    public async Task Warm_featured_lists_and_counts_touch_neither_MySQL_nor_Redis_and_a_newly_featured_comment_shows_within_a_second()
    {
        var reader = await platform.SignUpAsync();
        var article = (await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, $"/api/v1/columns/{FreeColumn}"), HttpStatusCode.OK))
            .GetProperty("articles")[0].GetProperty("id").GetInt64();
        var first = await FeatureAsync(await CommentAsync(reader, article, "第一条精选"));
        // Straight to comment: the gateway's own Redis calls stay out of the count, and the counts route is internal.
        using var comment = new HttpClient { BaseAddress = platform.App.GetEndpoint("comment", "http") };
        var list = $"/api/v1/comments?targetType=article&targetId={article}";
        var counts = $"/internal/comments/featured-counts?targetType=article&ids={article},{article + 1}";
        var column = await platform.ServiceTokenAsync("column");
        var cold = await platform.ReadServerCountersAsync("commentdb", Tables);
        Assert.Equal([first], await FeaturedIdsAsync(comment, list));
        await HttpAssert.JsonAsync(await Http.SendAsync(comment, HttpMethod.Get, counts, column), HttpStatusCode.OK);
        var before = await platform.ReadServerCountersAsync("commentdb", Tables);
        // The counters see a read: the list, dropped by featuring, came from Redis and then MySQL.
        Assert.NotEqual(cold.RedisReads, before.RedisReads);
        Assert.NotEqual(cold.RowsRead, before.RowsRead);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal([first], await FeaturedIdsAsync(comment, list));
            var counted = await HttpAssert.JsonAsync(await Http.SendAsync(comment, HttpMethod.Get, counts, column), HttpStatusCode.OK);
            Assert.Equal(1, counted.GetProperty("counts").GetProperty($"{article}").GetInt32());
        }

        Assert.Equal(before, await platform.ReadServerCountersAsync("commentdb", Tables));

        var pending = await CommentAsync(reader, article, "第二条，稍后精选");
        Assert.Equal([first], await FeaturedIdsAsync(platform.Gateway, list));
        var second = await FeatureAsync(pending);
        await Poll.UntilAsync(async () => (await FeaturedIdsAsync(platform.Gateway, list)).SequenceEqual([second, first]),
            TimeSpan.FromSeconds(1), () => $"comment {second} featured on article {article}, first");
        var recounted = await HttpAssert.JsonAsync(await Http.SendAsync(comment, HttpMethod.Get, counts, column), HttpStatusCode.OK);
        Assert.Equal(2, recounted.GetProperty("counts").GetProperty($"{article}").GetInt32());
    }

    [Fact]
    public async Task A_newly_featured_comment_is_counted_on_the_v2_home_page_within_seconds_though_column_keeps_the_counts()
    {
        var reader = await platform.SignUpAsync();
        var path = $"/api/v2/columns/{CountedColumn}";
        var article = (await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, path), HttpStatusCode.OK))
            .GetProperty("articles").GetProperty("items")[0].GetProperty("id").GetInt64();
        var before = await FeaturedCountAsync(path, article);

        await FeatureAsync(await CommentAsync(reader, article, "主页上要数到的一条"));

        // Column keeps comment's counts a second, and comment drops its own copy at once: a few seconds cover both.
        var count = before;
        await Poll.UntilAsync(async () => (count = await FeaturedCountAsync(path, article)) == before + 1, TimeSpan.FromSeconds(5),
            () => $"article {article} counted {before + 1} on the v2 home page, not {count}");
    }

    private async Task<int> FeaturedCountAsync(string path, long article)
    {
        var page = await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, path), HttpStatusCode.OK);
        var comments = page.GetProperty("comments");
        Assert.True(comments.GetProperty("available").GetBoolean(), page.ToString());
        return comments.GetProperty("featuredCounts").TryGetProperty($"{article}", out var count) ? count.GetInt32() : 0;
    }

    private async Task<long> CommentAsync(SignedInReader reader, long article, string content) =>
        (await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Post, "/api/v1/comments", reader.Token,
            new { targetType = "article", targetId = article, content }), HttpStatusCode.Created)).GetProperty("id").GetInt64();

    private async Task<long> FeatureAsync(long id)
    {
        await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Post, $"/api/v1/comments/{id}/feature", platform.AdminToken),
            HttpStatusCode.NoContent);
        return id;
    }

    private static async Task<List<long>> FeaturedIdsAsync(HttpClient client, string list) =>
        [.. (await HttpAssert.JsonAsync(await Http.SendAsync(client, HttpMethod.Get, list), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64())];
}
