using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Dedao.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dedao.Content.Tests;

[Collection(Content.Name)]
public sealed class DegradationTests(ContentFixture platform)
{
    private static readonly TimeSpan ServiceTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Without_comment_the_v2_home_page_still_renders_with_its_comment_summary_empty_and_marked()
    {
        // The seed features comments on the first column's first article.
        var before = await Http.ExpectAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, "/api/v2/columns/1"), HttpStatusCode.OK);
        Assert.True(before.GetProperty("comments").GetProperty("available").GetBoolean());
        Assert.NotEmpty(before.GetProperty("comments").GetProperty("featuredCounts").EnumerateObject());

        var app = platform.App;
        var comment = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "comment");
        using var deadline = new CancellationTokenSource(ServiceTimeout);
        Assert.True((await app.ResourceCommands.ExecuteCommandAsync(comment, KnownResourceCommands.StopCommand, deadline.Token)).Success);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync("comment",
                e => e.Snapshot.State?.Text == KnownResourceStates.Exited || e.Snapshot.State?.Text == KnownResourceStates.Finished,
                deadline.Token);

            foreach (var token in new[] { null, (await platform.SignUpAsync()).Token })
            {
                using var response = await Http.SendAsync(platform.Gateway, HttpMethod.Get, "/api/v2/columns/1", token);
                var page = await Http.ExpectAsync(response, HttpStatusCode.OK);
                Assert.False(page.GetProperty("comments").GetProperty("available").GetBoolean());
                Assert.Empty(page.GetProperty("comments").GetProperty("featuredCounts").EnumerateObject());
                Assert.NotEmpty(page.GetProperty("articles").GetProperty("items").EnumerateArray());
                Assert.Equal(before.GetProperty("author").GetProperty("name").GetString(), page.GetProperty("author").GetProperty("name").GetString());
            }
        }
        finally
        {
            await app.ResourceCommands.ExecuteCommandAsync(comment, KnownResourceCommands.StartCommand, CancellationToken.None);
            await ResourceHealth.WaitForAllHealthyAsync(app, ServiceTimeout, "comment");
            await platform.WarmUpAsync("comment");
        }

        await Poll.UntilAsync(async () =>
        {
            var page = await Http.ExpectAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Get, "/api/v2/columns/1"), HttpStatusCode.OK);
            return page.GetProperty("comments").GetProperty("available").GetBoolean();
        }, TimeSpan.FromSeconds(30), () => "the comment summary back on the v2 home page once comment is up");
    }
}
