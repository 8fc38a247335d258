using System.Net;
using System.Text.Json;
using Dedao.Contracts;
using Dedao.Testing;

namespace Dedao.Content.Tests;

[Collection(Content.Name)]
public sealed class CommentTests(ContentFixture platform)
{
    private const long PaidColumn = 1;

    [Fact]
    public async Task A_reader_comments_the_admin_features_it_and_everyone_sees_it_newest_featured_first()
    {
        var writer = await platform.SignUpAsync("留言的人");
        var article = await ArticleAsync(PaidColumn, trial: true, index: 1);
        const string text = "  <b>不是 HTML</b> & 这一讲讲得真好 😀  ";
        var id = await CommentAsync(writer, "article", article, text);

        var mine = await HttpAssert.JsonAsync(await Get("/api/v1/comments/mine", writer.Token), HttpStatusCode.OK);
        var own = Assert.Single(mine.GetProperty("items").EnumerateArray());
        Assert.Equal(id, own.GetProperty("id").GetInt64());
        Assert.Equal("pending", own.GetProperty("status").GetString());
        Assert.Equal(text.Trim(), own.GetProperty("content").GetString());
        Assert.DoesNotContain(await FeaturedIdsAsync("article", article), i => i == id);

        var stranger = await platform.SignUpAsync();
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Post, $"/api/v1/comments/{id}/feature", stranger.Token),
            HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Post, $"/api/v1/comments/{id}/feature"), HttpStatusCode.Unauthorized, "unauthorized");
        var announced = await platform.Bus.SubscribeAsync<CommentFeatured>();
        await HttpAssert.JsonAsync(await Send(HttpMethod.Post, $"/api/v1/comments/{id}/feature", platform.AdminToken), HttpStatusCode.NoContent);
        Assert.Equal(new CommentFeatured(id, CommentTargetType.Article, article, writer.UserId),
            (await announced.WaitForAsync(e => e.CommentId == id, TimeSpan.FromSeconds(15))).Event);
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Post, "/api/v1/comments/99999999/feature", platform.AdminToken),
            HttpStatusCode.NotFound, "not_found");

        var featured = await HttpAssert.JsonAsync(await Get($"/api/v1/comments?targetType=article&targetId={article}"), HttpStatusCode.OK);
        var first = featured.GetProperty("items").EnumerateArray().First();
        Assert.Equal(id, first.GetProperty("id").GetInt64());
        Assert.Equal(writer.UserId, first.GetProperty("userId").GetGuid());
        Assert.Equal("留言的人", first.GetProperty("nickname").GetString());
        Assert.Equal(text.Trim(), first.GetProperty("content").GetString());
        Assert.Equal(0, first.GetProperty("likeCount").GetInt32());
        var status = (await HttpAssert.JsonAsync(await Get("/api/v1/comments/mine", writer.Token), HttpStatusCode.OK))
            .GetProperty("items")[0].GetProperty("status").GetString();
        Assert.Equal("featured", status);
    }

    [Fact]
    public async Task The_featured_list_pages_newest_first_with_stable_cursors_and_refuses_bad_ones()
    {
        var article = await ArticleAsync(PaidColumn, trial: true, index: 0);
        var writer = await platform.SignUpAsync();
        for (var i = 0; i < 3; i++)
        {
            var id = await CommentAsync(writer, "article", article, $"第{i}条");
            await HttpAssert.JsonAsync(await Send(HttpMethod.Post, $"/api/v1/comments/{id}/feature", platform.AdminToken), HttpStatusCode.NoContent);
        }

        var first = await HttpAssert.JsonAsync(await Get($"/api/v1/comments?targetType=article&targetId={article}&limit=2"), HttpStatusCode.OK);
        var seen = first.GetProperty("items").EnumerateArray().ToList();
        var cursor = first.GetProperty("nextCursor").GetString();

        // A comment featured after the first page is newer than all of it: the pages that follow never show it or repeat one.
        var late = await CommentAsync(writer, "article", article, "翻页时才精选的一条");
        await HttpAssert.JsonAsync(await Send(HttpMethod.Post, $"/api/v1/comments/{late}/feature", platform.AdminToken), HttpStatusCode.NoContent);
        while (cursor is not null)
        {
            var page = await HttpAssert.JsonAsync(await Get($"/api/v1/comments?targetType=article&targetId={article}&limit=2&cursor={cursor}"),
                HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }

        var times = seen.Select(c => c.GetProperty("featuredAt").GetDateTime()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal(seen.Count, seen.Select(c => c.GetProperty("id").GetInt64()).Distinct().Count());
        Assert.DoesNotContain(seen, c => c.GetProperty("id").GetInt64() == late);
        Assert.InRange(seen.Count, 3 + 3, int.MaxValue);

        foreach (var path in new[]
                 {
                     $"/api/v1/comments?targetType=article&targetId={article}&cursor=Z2FyYmFnZQ",
                     $"/api/v1/comments?targetType=video&targetId={article}", "/api/v1/comments?targetType=article",
                     $"/api/v1/comments?targetType=article&targetId={article}&limit=0",
                 })
        {
            await HttpAssert.ProblemAsync(await Get(path), HttpStatusCode.BadRequest, "validation_failed");
        }
    }

    [Fact]
    public async Task Only_readers_with_access_may_comment_and_content_is_checked()
    {
        var stranger = await platform.SignUpAsync();
        var locked = await ArticleAsync(PaidColumn, trial: false, index: 0);
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Post, "/api/v1/comments", stranger.Token,
            new { targetType = "article", targetId = locked, content = "想留言" }), HttpStatusCode.Forbidden, "no_access");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Post, "/api/v1/comments", null,
            new { targetType = "article", targetId = locked, content = "想留言" }), HttpStatusCode.Unauthorized, "unauthorized");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Post, "/api/v1/comments", stranger.Token,
            new { targetType = "article", targetId = 99999999, content = "想留言" }), HttpStatusCode.NotFound, "not_found");

        var trial = await ArticleAsync(PaidColumn, trial: true, index: 0);
        (object Body, string Field)[] invalid =
        [
            (new { targetType = "article", targetId = trial, content = " \n\t " }, "content"),
            (new { targetType = "article", targetId = trial, content = new string('好', 2001) }, "content"),
            (new { targetType = "video", targetId = trial, content = "好" }, "targetType"),
            (new { targetType = "article", content = "好" }, "targetId"),
        ];
        foreach (var (body, field) in invalid)
        {
            var problem = await HttpAssert.ProblemAsync(await Send(HttpMethod.Post, "/api/v1/comments", stranger.Token, body),
                HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }

        // 2000 characters as people count them: an emoji is two UTF-16 units but one character.
        await CommentAsync(stranger, "article", trial, string.Concat(Enumerable.Repeat("😀", 2000)));
        // "e" and a combining accent are one character once normalised (NFC).
        await CommentAsync(stranger, "article", trial, string.Concat(Enumerable.Repeat("e\u0301", 2000)));
        var lesson = (await HttpAssert.JsonAsync(await Get("/api/v1/courses/1"), HttpStatusCode.OK)).GetProperty("lessons")[0].GetProperty("id").GetInt64();
        await CommentAsync(stranger, "lesson", lesson, "试听课也能留言");
    }

    [Fact]
    public async Task A_like_counts_once_per_reader_even_when_sent_at_once()
    {
        var writer = await platform.SignUpAsync();
        var id = await FeaturedCommentAsync(writer);
        var readers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => platform.SignUpAsync()));

        // Each reader likes five times at once; the count moves by one per reader.
        var likes = readers.SelectMany(r => Enumerable.Range(0, 5).Select(_ => Send(HttpMethod.Put, $"/api/v1/comments/{id}/like", r.Token)));
        foreach (var response in await Task.WhenAll(likes))
        {
            await HttpAssert.JsonAsync(response, HttpStatusCode.NoContent);
        }

        Assert.Equal(3, await LikeCountAsync(id));
        await HttpAssert.JsonAsync(await Send(HttpMethod.Delete, $"/api/v1/comments/{id}/like", readers[0].Token), HttpStatusCode.NoContent);
        await HttpAssert.JsonAsync(await Send(HttpMethod.Delete, $"/api/v1/comments/{id}/like", readers[0].Token), HttpStatusCode.NoContent);
        Assert.Equal(2, await LikeCountAsync(id));
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Put, $"/api/v1/comments/{id}/like"), HttpStatusCode.Unauthorized, "unauthorized");

        // A pending comment is nobody's to like but its writer's.
        var pending = await CommentAsync(writer, "article", await ArticleAsync(PaidColumn, trial: true, index: 0), "还没精选");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Put, $"/api/v1/comments/{pending}/like", readers[1].Token),
            HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Put, "/api/v1/comments/99999999/like", readers[1].Token),
            HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_comment_is_deleted_by_its_writer_or_an_admin_and_is_not_found_for_anyone_else()
    {
        var writer = await platform.SignUpAsync();
        var stranger = await platform.SignUpAsync();
        var byWriter = await FeaturedCommentAsync(writer);
        var byAdmin = await FeaturedCommentAsync(writer);

        await HttpAssert.ProblemAsync(await Send(HttpMethod.Delete, $"/api/v1/comments/{byWriter}", stranger.Token), HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Delete, $"/api/v1/comments/{byWriter}"), HttpStatusCode.Unauthorized, "unauthorized");
        await HttpAssert.JsonAsync(await Send(HttpMethod.Delete, $"/api/v1/comments/{byWriter}", writer.Token), HttpStatusCode.NoContent);
        await HttpAssert.JsonAsync(await Send(HttpMethod.Delete, $"/api/v1/comments/{byAdmin}", platform.AdminToken), HttpStatusCode.NoContent);
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Delete, $"/api/v1/comments/{byWriter}", writer.Token), HttpStatusCode.NotFound, "not_found");

        var mine = await HttpAssert.JsonAsync(await Get("/api/v1/comments/mine", writer.Token), HttpStatusCode.OK);
        Assert.Empty(mine.GetProperty("items").EnumerateArray());
        await HttpAssert.ProblemAsync(await Get("/api/v1/comments/mine"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    private Task<HttpResponseMessage> Get(string path, string? token = null) => Http.SendAsync(platform.Gateway, HttpMethod.Get, path, token);

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token = null, object? body = null) =>
        Http.SendAsync(platform.Gateway, method, path, token, body);

    private async Task<long> ArticleAsync(long column, bool trial, int index) =>
        (await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{column}"), HttpStatusCode.OK)).GetProperty("articles").EnumerateArray()
            .Where(a => a.GetProperty("isTrial").GetBoolean() == trial).ElementAt(index).GetProperty("id").GetInt64();

    private async Task<long> CommentAsync(SignedInReader reader, string targetType, long targetId, string content)
    {
        var created = await HttpAssert.JsonAsync(await Send(HttpMethod.Post, "/api/v1/comments", reader.Token, new { targetType, targetId, content }),
            HttpStatusCode.Created);
        Assert.Equal("pending", created.GetProperty("status").GetString());
        return created.GetProperty("id").GetInt64();
    }

    private async Task<long> FeaturedCommentAsync(SignedInReader writer)
    {
        var id = await CommentAsync(writer, "article", await ArticleAsync(PaidColumn, trial: true, index: 1), "值得精选的一条");
        await HttpAssert.JsonAsync(await Send(HttpMethod.Post, $"/api/v1/comments/{id}/feature", platform.AdminToken), HttpStatusCode.NoContent);
        return id;
    }

    private async Task<List<long>> FeaturedIdsAsync(string targetType, long targetId) =>
        (await HttpAssert.JsonAsync(await Get($"/api/v1/comments?targetType={targetType}&targetId={targetId}&limit=100"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToList();

    private async Task<int> LikeCountAsync(long id)
    {
        var article = await ArticleAsync(PaidColumn, trial: true, index: 1);
        var featured = await HttpAssert.JsonAsync(await Get($"/api/v1/comments?targetType=article&targetId={article}&limit=100"), HttpStatusCode.OK);
        return featured.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == id).GetProperty("likeCount").GetInt32();
    }
}
