using System.Net;
using Dedao.Contracts;
using Dedao.Testing;

namespace Dedao.Content.Tests;

/// <summary>Access decided from order.paid, published to the bus exactly as order publishes it (events.md).</summary>
[Collection(Content.Name)]
public sealed class AccessTests(ContentFixture platform)
{
    private const long PaidColumn = 3;
    private const long PaidCourse = 3;
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_reader_becomes_a_subscriber_when_order_paid_arrives_and_nobody_else_does()
    {
        var buyer = await platform.SignUpAsync();
        var other = await platform.SignUpAsync();
        var locked = (await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{PaidColumn}"), HttpStatusCode.OK))
            .GetProperty("articles").EnumerateArray().First(a => !a.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();
        var article = $"/api/v1/columns/{PaidColumn}/articles/{locked}";
        await HttpAssert.ProblemAsync(await Get(article, buyer.Token), HttpStatusCode.Forbidden, "not_subscribed");
        var granted = await platform.Bus.SubscribeAsync<AccessGranted>();

        var order = NewOrderId();
        await platform.Bus.PublishAsync(new OrderPaid(order, buyer.UserId, ProductType.Column, PaidColumn, 9900, DateTime.UtcNow));

        var answer = await granted.WaitForAsync(e => e.OrderId == order, EventTimeout);
        Assert.Equal(new AccessGranted(order, buyer.UserId, ProductType.Column, PaidColumn), answer.Event);
        Assert.Equal("access.granted", answer.Type);
        Assert.True(answer.Persistent);
        // access.granted leaves after the grant is committed: from then on every read sees it.
        Assert.True((await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{PaidColumn}", buyer.Token), HttpStatusCode.OK)).GetProperty("subscribed").GetBoolean());
        Assert.True((await HttpAssert.JsonAsync(await Get($"/api/v2/columns/{PaidColumn}", buyer.Token), HttpStatusCode.OK)).GetProperty("subscribed").GetBoolean());
        Assert.False(string.IsNullOrEmpty((await HttpAssert.JsonAsync(await Get(article, buyer.Token), HttpStatusCode.OK)).GetProperty("content").GetString()));

        Assert.False((await HttpAssert.JsonAsync(await Get($"/api/v1/columns/{PaidColumn}", other.Token), HttpStatusCode.OK)).GetProperty("subscribed").GetBoolean());
        await HttpAssert.ProblemAsync(await Get(article, other.Token), HttpStatusCode.Forbidden, "not_subscribed");
        await HttpAssert.ProblemAsync(await Get(article), HttpStatusCode.Forbidden, "not_subscribed");

        // Comment keeps its own projection of the same event: the buyer may comment on the paid article, the other reader not.
        var body = new { targetType = "article", targetId = locked, content = "买了之后终于能留言了" };
        await Poll.UntilAsync(async () =>
        {
            using var response = await Http.SendAsync(platform.Gateway, HttpMethod.Post, "/api/v1/comments", buyer.Token, body);
            return response.StatusCode == HttpStatusCode.Created;
        }, EventTimeout, () => "the buyer's comment on the paid article accepted");
        await HttpAssert.ProblemAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Post, "/api/v1/comments", other.Token, body),
            HttpStatusCode.Forbidden, "no_access");
    }

    [Fact]
    public async Task The_same_order_paid_delivered_again_grants_once_and_answers_one_access_granted()
    {
        var buyer = await platform.SignUpAsync();
        var granted = await platform.Bus.SubscribeAsync<AccessGranted>();
        var order = NewOrderId();
        var paid = new OrderPaid(order, buyer.UserId, ProductType.Column, PaidColumn, 9900, DateTime.UtcNow);

        // The broker redelivers (the same message_id), and a producer re-sends after a crash (a new one).
        var first = await platform.Bus.PublishAsync(paid);
        await platform.Bus.PublishAsync(paid, first);
        var resent = await platform.Bus.PublishAsync(paid);

        await granted.WaitForAsync(e => e.OrderId == order, EventTimeout);
        await Poll.UntilAsync(async () => await platform.CountAsync("columndb",
                "SELECT COUNT(*) FROM inbox WHERE message_id IN (@first, @resent)", ("@first", first.ToString()), ("@resent", resent.ToString())) == 2,
            EventTimeout, () => "column's inbox holding both message ids");

        Assert.Equal(1, await platform.CountAsync("columndb",
            "SELECT COUNT(*) FROM outbox WHERE event_name = 'access.granted' AND body LIKE @order", ("@order", $"%\"orderId\":{order},%")));
        Assert.Equal(1, await platform.CountAsync("columndb",
            "SELECT COUNT(*) FROM Subscriptions WHERE UserId = @user", ("@user", buyer.UserId.ToString())));
        // Whatever was published has been relayed by the time a later grant arrives.
        var marker = NewOrderId();
        await platform.Bus.PublishAsync(new OrderPaid(marker, buyer.UserId, ProductType.Course, PaidCourse, 29900, DateTime.UtcNow));
        await granted.WaitForAsync(e => e.OrderId == marker, EventTimeout);
        Assert.Single(granted.Received, e => e.Event.OrderId == order);
    }

    [Fact]
    public async Task A_reader_who_bought_a_course_plays_its_lessons_and_keeps_progress()
    {
        var buyer = await platform.SignUpAsync();
        var other = await platform.SignUpAsync();
        var lessons = (await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{PaidCourse}"), HttpStatusCode.OK)).GetProperty("lessons").EnumerateArray().ToList();
        var locked = lessons.First(l => !l.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();
        var lesson = $"/api/v1/courses/{PaidCourse}/lessons/{locked}";
        var granted = await platform.Bus.SubscribeAsync<AccessGranted>();

        var order = NewOrderId();
        await platform.Bus.PublishAsync(new OrderPaid(order, buyer.UserId, ProductType.Course, PaidCourse, 29900, DateTime.UtcNow));

        Assert.Equal(new AccessGranted(order, buyer.UserId, ProductType.Course, PaidCourse), (await granted.WaitForAsync(e => e.OrderId == order, EventTimeout)).Event);
        Assert.True((await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{PaidCourse}", buyer.Token), HttpStatusCode.OK)).GetProperty("purchased").GetBoolean());
        await HttpAssert.JsonAsync(await Get(lesson, buyer.Token), HttpStatusCode.OK);
        await HttpAssert.JsonAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Put, $"/api/v1/courses/{PaidCourse}/progress", buyer.Token,
            new { lessonId = locked, positionSeconds = 42 }), HttpStatusCode.NoContent);
        var progress = await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{PaidCourse}/progress", buyer.Token), HttpStatusCode.OK);
        Assert.Equal(42, Assert.Single(progress.GetProperty("lessons").EnumerateArray()).GetProperty("positionSeconds").GetInt32());

        Assert.False((await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{PaidCourse}", other.Token), HttpStatusCode.OK)).GetProperty("purchased").GetBoolean());
        await HttpAssert.ProblemAsync(await Get(lesson, other.Token), HttpStatusCode.Forbidden, "not_purchased");
        await HttpAssert.ProblemAsync(await Http.SendAsync(platform.Gateway, HttpMethod.Put, $"/api/v1/courses/{PaidCourse}/progress", other.Token,
            new { lessonId = locked, positionSeconds = 42 }), HttpStatusCode.Forbidden, "not_purchased");
    }

    private Task<HttpResponseMessage> Get(string path, string? token = null) => Http.SendAsync(platform.Gateway, HttpMethod.Get, path, token);

    // Order ids are order's; these only need to be unique within the run.
    private static long NewOrderId() => Random.Shared.NextInt64(1_000_000_000, long.MaxValue);
}
