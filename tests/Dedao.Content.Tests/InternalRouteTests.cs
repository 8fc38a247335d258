using System.Net;
using Aspire.Hosting.Testing;
using Dedao.Testing;

namespace Dedao.Content.Tests;

/// <summary>
/// The <c>/internal</c> routes the content services call each other on, and the AppHost's cache flush: each takes a
/// service's own token (client credentials from passport) and refuses a reader's token and no token at all.
/// </summary>
[Collection(Content.Name)]
public sealed class InternalRouteTests(ContentFixture platform)
{
    [Fact]
    public async Task Internal_routes_take_only_a_services_own_token_and_the_services_use_theirs_for_anonymous_readers()
    {
        var reader = await platform.SignUpAsync();
        var page = await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, "/api/v2/columns/1"), HttpStatusCode.OK);
        var article = page.GetProperty("articles").GetProperty("items")[0].GetProperty("id").GetInt64();
        var lesson = (await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, "/api/v1/courses/1"), HttpStatusCode.OK))
            .GetProperty("lessons")[0].GetProperty("id").GetInt64();
        (string Service, HttpMethod Method, string Path, string Caller)[] routes =
        [
            ("column", HttpMethod.Get, $"/internal/articles/{article}", "comment"),
            ("course", HttpMethod.Get, $"/internal/lessons/{lesson}", "comment"),
            ("comment", HttpMethod.Get, $"/internal/comments/featured-counts?targetType=article&ids={article}", "column"),
            ("column", HttpMethod.Post, "/internal/cache/flush", "column"),
            ("course", HttpMethod.Post, "/internal/cache/flush", "course"),
            ("comment", HttpMethod.Post, "/internal/cache/flush", "comment"),
        ];

        foreach (var (service, method, path, caller) in routes)
        {
            using var client = new HttpClient { BaseAddress = platform.App.GetEndpoint(service, "http") };
            await HttpAssert.ProblemAsync(await Http.SendAsync(client, method, path), HttpStatusCode.Unauthorized, "unauthorized");
            await HttpAssert.ProblemAsync(await Http.SendAsync(client, method, path, reader.Token), HttpStatusCode.Forbidden, "forbidden");
            await HttpAssert.JsonAsync(await Http.SendAsync(client, method, path, await platform.ServiceTokenAsync(caller)), HttpStatusCode.OK);
        }

        // Nobody signed in, yet column asked comment for the page's counts: with its own token.
        Assert.True(page.GetProperty("comments").GetProperty("available").GetBoolean(), page.ToString());
    }

    [Fact]
    public async Task A_services_own_token_is_refused_where_a_route_answers_for_a_reader()
    {
        var column = await platform.ServiceTokenAsync("column");

        await HttpAssert.ProblemAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, "/api/v1/comments/mine", column),
            HttpStatusCode.Forbidden, "forbidden");
        using var comment = new HttpClient { BaseAddress = platform.App.GetEndpoint("comment", "http") };
        await HttpAssert.ProblemAsync(await Http.SendAsync(comment, HttpMethod.Post, "/api/v1/comments", column,
            new { targetType = "article", targetId = 1, content = "不是读者写的" }), HttpStatusCode.Forbidden, "forbidden");
    }
}
