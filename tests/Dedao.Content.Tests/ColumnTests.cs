using System.Net;
using System.Text.Json;
using Dedao.Contracts;
using Dedao.Testing;

namespace Dedao.Content.Tests;

[Collection(Content.Name)]
public sealed class ColumnTests(ContentFixture platform)
{
    private const long PaidColumn = 1;
    private const long FreeColumn = 4;

    [Fact]
    public async Task The_list_filters_by_free_and_pages_through_every_column_once()
    {
        var free = await HttpAssert.JsonAsync(await Get("/api/v1/columns?free=true&limit=100"), HttpStatusCode.OK);
        Assert.NotEmpty(free.GetProperty("items").EnumerateArray());
        Assert.All(free.GetProperty("items").EnumerateArray(), c =>
        {
            Assert.True(c.GetProperty("isFree").GetBoolean());
            Assert.Equal(0, c.GetProperty("priceFen").GetInt64());
        });

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await HttpAssert.JsonAsync(await Get($"/api/v1/columns?limit=7{(cursor is null ? "" : $"&cursor={cursor}")}"), HttpStatusCode.OK);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 7);
            foreach (var column in items)
            {
                seen.Add(column.GetProperty("id").GetInt64());
                Assert.False(string.IsNullOrEmpty(column.GetProperty("author").GetString()));
                Assert.InRange(column.GetProperty("articleCount").GetInt32(), 10, int.MaxValue);
            }

            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.InRange(seen.Count, 20, int.MaxValue);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.Order(), seen);
    }

    [Theory]
    [InlineData("/api/v1/columns?free=maybe", "free")]
    [InlineData("/api/v1/columns?limit=0", "limit")]
    [InlineData("/api/v1/columns?limit=101", "limit")]
    [InlineData("/api/v1/columns?limit=ten", "limit")]
    [InlineData("/api/v1/columns?cursor=not-a-cursor!", "cursor")]
    [InlineData("/api/v1/columns?cursor=Z2FyYmFnZQ", "cursor")]
    [InlineData("/api/v2/columns/1?cursor=Z2FyYmFnZQ", "cursor")]
    [InlineData("/api/v2/columns/1?limit=1000", "limit")]
    public async Task Bad_list_parameters_are_validation_problems(string path, string field)
    {
        var problem = await HttpAssert.ProblemAsync(await Get(path), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task The_v1_home_page_has_its_articles_says_not_subscribed_and_is_marked_deprecated()
    {
        var reader = await platform.SignUpAsync();
        foreach (var token in new[] { null, reader.Token })
        {
            using var response = await Get($"/api/v1/columns/{PaidColumn}", token);
            var home = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal(PaidColumn, home.GetProperty("id").GetInt64());
            Assert.Equal(JsonValueKind.String, home.GetProperty("author").ValueKind);
            Assert.False(home.GetProperty("isFree").GetBoolean());
            Assert.False(home.GetProperty("subscribed").GetBoolean());
            var articles = home.GetProperty("articles").EnumerateArray().ToList();
            Assert.InRange(articles.Count, 10, int.MaxValue);
            Assert.Contains(articles, a => a.GetProperty("isTrial").GetBoolean());
            Assert.True(response.Headers.Contains("Deprecation"));
            Assert.True(response.Headers.Contains("Sunset"));
        }

        await HttpAssert.ProblemAsync(await Get("/api/v1/columns/999999"), HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(await Get("/api/v2/columns/999999"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task The_v2_home_page_has_author_and_price_objects_and_pages_its_articles()
    {
        var v1 = await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{PaidColumn}"), HttpStatusCode.OK);
        var ids = new List<long>();
        string? cursor = null;
        do
        {
            using var response = await Get($"/api/v2/columns/{PaidColumn}?limit=4{(cursor is null ? "" : $"&cursor={cursor}")}");
            var home = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
            Assert.False(response.Headers.Contains("Deprecation"));
            var author = home.GetProperty("author");
            Assert.True(author.GetProperty("id").GetInt64() > 0);
            Assert.Equal(v1.GetProperty("author").GetString(), author.GetProperty("name").GetString());
            Assert.Equal(v1.GetProperty("priceFen").GetInt64(), home.GetProperty("price").GetProperty("amountFen").GetInt64());
            Assert.Equal("CNY", home.GetProperty("price").GetProperty("currency").GetString());
            Assert.False(home.GetProperty("subscribed").GetBoolean());
            var articles = home.GetProperty("articles");
            ids.AddRange(articles.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()));
            cursor = articles.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(v1.GetProperty("articles").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()), ids);
    }

    [Fact]
    public async Task A_v2_cursor_stays_valid_and_skips_nothing_when_an_article_is_published_between_pages()
    {
        const long column = 17;
        var first = await HttpAssert.JsonAsync(await Get($"/api/v2/columns/{column}?limit=5"), HttpStatusCode.OK);
        var seen = first.GetProperty("articles").GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()).ToList();
        var cursor = first.GetProperty("articles").GetProperty("nextCursor").GetString();
        Assert.NotNull(cursor);

        var published = await PublishAsync(column, "分页时插入的新文章", isTrial: false);

        while (cursor is not null)
        {
            var page = await HttpAssert.JsonAsync(await Get($"/api/v2/columns/{column}?limit=5&cursor={cursor}"), HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("articles").GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("articles").GetProperty("nextCursor").GetString();
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(published, seen[^1]);
    }

    [Fact]
    public async Task Trial_and_free_articles_are_readable_by_anyone_and_paid_ones_answer_not_subscribed()
    {
        var reader = await platform.SignUpAsync();
        var paid = await ArticlesAsync(PaidColumn);
        var trial = paid.First(a => a.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();
        var locked = paid.First(a => !a.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();
        var free = (await ArticlesAsync(FreeColumn)).First(a => !a.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();

        foreach (var token in new[] { null, reader.Token })
        {
            var article = await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{PaidColumn}/articles/{trial}", token), HttpStatusCode.OK);
            Assert.Equal(trial, article.GetProperty("id").GetInt64());
            Assert.InRange(article.GetProperty("content").GetString()!.Length, 500, int.MaxValue);
            await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{FreeColumn}/articles/{free}", token), HttpStatusCode.OK);
            await HttpAssert.ProblemAsync(await Get($"/api/v1/columns/{PaidColumn}/articles/{locked}", token),
                HttpStatusCode.Forbidden, "not_subscribed");
        }

        // An article is found only under its own column.
        await HttpAssert.ProblemAsync(await Get($"/api/v1/columns/{FreeColumn}/articles/{locked}"), HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(await Get($"/api/v1/columns/{PaidColumn}/articles/99999999"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Only_an_admin_publishes_and_the_article_is_on_v1_and_v2_within_a_second()
    {
        const long column = 19;
        var body = new { title = "新文章", content = "正文", isTrial = true };
        await HttpAssert.ProblemAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Post, $"/api/v1/columns/{column}/articles", body: body),
            HttpStatusCode.Unauthorized, "unauthorized");
        var reader = await platform.SignUpAsync();
        await HttpAssert.ProblemAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Post, $"/api/v1/columns/{column}/articles", reader.Token, body),
            HttpStatusCode.Forbidden, "forbidden");

        var changed = await platform.Bus.SubscribeAsync<ContentChanged>();
        var id = await PublishAsync(column, "管理员刚刚发布的一讲", isTrial: true);

        await Poll.UntilAsync(async () =>
        {
            var v1 = await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{column}"), HttpStatusCode.OK);
            var v2 = await HttpAssert.JsonAsync(await Get($"/api/v2/columns/{column}?limit=100"), HttpStatusCode.OK);
            return v1.GetProperty("articles").EnumerateArray().Any(a => a.GetProperty("id").GetInt64() == id)
                && v2.GetProperty("articles").GetProperty("items").EnumerateArray().Any(a => a.GetProperty("id").GetInt64() == id);
        }, TimeSpan.FromSeconds(1), () => $"article {id} on column {column}'s v1 and v2 home pages");
        var article = await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{column}/articles/{id}"), HttpStatusCode.OK);
        Assert.Equal("管理员刚刚发布的一讲", article.GetProperty("title").GetString());
        var announced = await changed.WaitForAsync(e => e.ArticleId == id, TimeSpan.FromSeconds(15));
        Assert.Equal(new ContentChanged(ProductType.Column, column, id, null), announced.Event);
    }

    [Fact]
    public async Task Publishing_validates_the_article_and_the_column()
    {
        var problem = await HttpAssert.ProblemAsync(
            await Http.SendAsync(platform.Gateway, HttpMethod.Post, "/api/v1/columns/19/articles", platform.AdminToken,
                new { title = "   ", content = new string('字', 100_001), isTrial = false }),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("title", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("content", out _));
        // A right-to-left override in a title would turn around what every home page shows after it.
        var reversed = await HttpAssert.ProblemAsync(
            await Http.SendAsync(platform.Gateway, HttpMethod.Post, "/api/v1/columns/19/articles", platform.AdminToken,
                new { title = "第一讲\u202egpj.exe", content = "正文", isTrial = false }),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(reversed.GetProperty("errors").TryGetProperty("title", out _));
        await HttpAssert.ProblemAsync(
            await Http.SendAsync(platform.Gateway, HttpMethod.Post, "/api/v1/columns/999999/articles", platform.AdminToken,
                new { title = "标题", content = "正文", isTrial = false }),
            HttpStatusCode.NotFound, "not_found");
    }

    private Task<HttpResponseMessage> Get(string path, string? token = null) =>
        Http.SendAsync(platform.Gateway, HttpMethod.Get, path, token);

    private async Task<List<JsonElement>> ArticlesAsync(long column) =>
        (await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{column}"), HttpStatusCode.OK)).GetProperty("articles").EnumerateArray().ToList();

    private async Task<long> PublishAsync(long column, string title, bool isTrial)
    {
        using var response = await Http.SendAsync(platform.Gateway, HttpMethod.Post, $"/api/v1/columns/{column}/articles", platform.AdminToken,
            new { title, content = $"{title}的正文。", isTrial });
        var created = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        return created.GetProperty("id").GetInt64();
    }
}
