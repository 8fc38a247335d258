using System.Net;
using Aspire.Hosting.Testing;
using Dedao.Contracts;
using Dedao.Testing;
using MySqlConnector;

namespace Dedao.Content.Tests;

/// <summary>The course page from course's multi-level cache: a warm page costs the servers nothing, and a change shows within a second.</summary>
[Collection(Content.Name)]
public sealed class CourseCacheTests(ContentFixture platform)
{
    // A paid course no other test reads or buys.
    private const long Course = 7;
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] Tables = ["Courses", "Lessons", "Purchases"];

    [Fact]
    public async Task A_warm_course_page_with_its_purchased_flag_touches_neither_MySQL_nor_Redis()
    {
        var buyer = await platform.SignUpAsync();
        var granted = await platform.Bus.SubscribeAsync<AccessGranted>();
        var order = Random.Shared.NextInt64(1_000_000_000, long.MaxValue);
        await platform.Bus.PublishAsync(new OrderPaid(order, buyer.UserId, ProductType.Course, Course, 29900, DateTime.UtcNow));
        await granted.WaitForAsync(e => e.OrderId == order, EventTimeout);
        // Straight to course, one replica: the gateway's own Redis calls stay out of the count.
        using var course = new HttpClient { BaseAddress = platform.App.GetEndpoint("course", "http") };
        var path = $"/api/v1/courses/{Course}";
        var cold = await platform.ReadServerCountersAsync("coursedb", Tables);
        var lessons = (await HttpAssert.JsonAsync(await Http.SendAsync(course, HttpMethod.Get, path, buyer.Token), HttpStatusCode.OK))
            .GetProperty("lessons").GetArrayLength();
        var before = await platform.ReadServerCountersAsync("coursedb", Tables);
        // The counters see a read: the buyer's purchases, dropped by the grant, came from Redis and then MySQL.
        Assert.NotEqual(cold.RedisReads, before.RedisReads);
        Assert.NotEqual(cold.RowsRead, before.RowsRead);

        for (var i = 0; i < 50; i++)
        {
            var page = await HttpAssert.JsonAsync(await Http.SendAsync(course, HttpMethod.Get, path, buyer.Token), HttpStatusCode.OK);
            Assert.True(page.GetProperty("purchased").GetBoolean());
            Assert.Equal(lessons, page.GetProperty("lessons").GetArrayLength());
        }

        Assert.Equal(before, await platform.ReadServerCountersAsync("coursedb", Tables));
    }

    [Fact]
    public async Task A_course_changed_in_its_table_shows_on_the_cached_page_within_a_second_of_content_changed()
    {
        var page = await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{Course}"), HttpStatusCode.OK);
        // A trial lesson: anyone may play it.
        var lesson = page.GetProperty("lessons").EnumerateArray().First(l => l.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();
        await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{Course}/lessons/{lesson}"), HttpStatusCode.OK);
        var title = $"新版课程 {Guid.NewGuid():N}";
        var lessonTitle = $"新版第一课 {Guid.NewGuid():N}";

        // As a tool writing the table would, then telling everyone what it changed.
        await using (var connection = new MySqlConnection(await platform.App.GetConnectionStringAsync("coursedb")))
        {
            await connection.OpenAsync();
            await using var command = new MySqlCommand(
                "UPDATE Courses SET Title = @title WHERE Id = @course; UPDATE Lessons SET Title = @lessonTitle WHERE Id = @lesson", connection);
            command.Parameters.AddWithValue("@title", title);
            command.Parameters.AddWithValue("@course", Course);
            command.Parameters.AddWithValue("@lessonTitle", lessonTitle);
            command.Parameters.AddWithValue("@lesson", lesson);
            await command.ExecuteNonQueryAsync();
        }

        Assert.NotEqual(title, (await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{Course}"), HttpStatusCode.OK)).GetProperty("title").GetString());
        await platform.Bus.PublishAsync(new ContentChanged(ProductType.Course, Course, null, lesson));

        await Poll.UntilAsync(async () =>
        {
            var home = await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{Course}"), HttpStatusCode.OK);
            var media = await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{Course}/lessons/{lesson}"), HttpStatusCode.OK);
            return home.GetProperty("title").GetString() == title
                   && home.GetProperty("lessons").EnumerateArray().Any(l => l.GetProperty("title").GetString() == lessonTitle)
                   && media.GetProperty("title").GetString() == lessonTitle;
        }, TimeSpan.FromSeconds(1), () => $"course {Course}'s page and lesson {lesson} with their new titles");
    }

    private Task<HttpResponseMessage> Get(string path) => Http.SendAsync(platform.Gateway, HttpMethod.Get, path);
}
