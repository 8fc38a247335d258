using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using Dedao.Testing;

namespace Dedao.Commerce.Tests;

[Collection(Commerce.Name)]
public sealed class OrderTests(CommerceFixture platform)
{
    [Fact]
    public async Task An_order_takes_the_catalogs_price_and_never_the_clients()
    {
        var shopper = await Shopper.SignUpAsync(platform);

        using var response = await shopper.PostAsync("/api/v1/orders",
            new { productType = "column", productId = Catalog.PaidColumn, amountFen = 1, priceFen = 1 }, Guid.NewGuid().ToString());

        var order = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal(Catalog.PaidColumnPriceFen, order.GetProperty("amountFen").GetInt64());
        Assert.Equal("pending", order.GetProperty("status").GetString());
        var created = order.GetProperty("createdAt").GetDateTime();
        Assert.Equal(created + CommerceFixture.PaymentTimeout, order.GetProperty("expiresAt").GetDateTime(), TimeSpan.FromSeconds(1));
        var read = await shopper.GetJsonAsync($"/api/v1/orders/{order.GetProperty("orderId").GetInt64()}");
        Assert.Equal(Catalog.PaidColumnPriceFen, read.GetProperty("amountFen").GetInt64());
    }

    [Fact]
    public async Task The_catalog_orders_are_priced_from_is_seeded_once_although_column_starts_as_two_replicas()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var listed = (await shopper.GetJsonAsync("/api/v1/columns?free=false&limit=100")).GetProperty("items").EnumerateArray()
            .Select(c => c.GetProperty("id").GetInt64());

        Assert.Equal(Catalog.PaidProducts.Where(p => p.Type == "column").Select(p => p.Id), listed.Order());
    }

    [Theory]
    [InlineData("column", Catalog.FreeColumn, "free_product")]
    [InlineData("column", Catalog.UnknownProduct, "unknown_product")]
    [InlineData("course", Catalog.UnknownProduct, "unknown_product")]
    public async Task A_free_or_unknown_product_cannot_be_ordered(string productType, long productId, string code)
    {
        var shopper = await Shopper.SignUpAsync(platform);

        using var response = await shopper.OrderAsync(productType, productId, Guid.NewGuid().ToString());

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task A_product_type_that_does_not_exist_is_a_validation_error()
    {
        var shopper = await Shopper.SignUpAsync(platform);

        using var response = await shopper.OrderAsync("ebook", Catalog.PaidColumn, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_product_type_given_as_a_number_is_refused_not_read_as_one_of_ours()
    {
        var shopper = await Shopper.SignUpAsync(platform);

        using var response = await shopper.PostAsync("/api/v1/orders", new { productType = 0, productId = Catalog.PaidColumn },
            Guid.NewGuid().ToString());

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_body");
        Assert.Empty((await shopper.GetJsonAsync("/api/v1/orders")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task An_order_needs_an_idempotency_key_and_a_repeat_gets_the_first_answer()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var key = Guid.NewGuid().ToString();

        using (var missing = await shopper.OrderAsync("column", Catalog.PaidColumn, idempotencyKey: null))
        {
            await HttpAssert.ProblemAsync(missing, HttpStatusCode.BadRequest, "idempotency_key_required");
        }

        using var first = await shopper.OrderAsync("column", Catalog.PaidColumn, key);
        using var repeat = await shopper.OrderAsync("column", Catalog.PaidColumn, key);
        using var reused = await shopper.OrderAsync("course", Catalog.PaidCourse, key);

        var firstOrder = await HttpAssert.JsonAsync(first, HttpStatusCode.Created);
        var repeatOrder = await HttpAssert.JsonAsync(repeat, HttpStatusCode.Created);
        Assert.Equal(firstOrder.GetProperty("orderId").GetInt64(), repeatOrder.GetProperty("orderId").GetInt64());
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.True(repeat.Headers.Contains("Idempotent-Replayed"));
        await HttpAssert.ProblemAsync(reused, HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Single((await shopper.GetJsonAsync("/api/v1/orders")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_same_order_sent_twenty_times_at_once_is_made_once()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => shopper.OrderAsync("column", Catalog.PaidColumn, key)));

        var orderIds = new HashSet<long>();
        foreach (var response in responses)
        {
            using (response)
            {
                orderIds.Add((await HttpAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("orderId").GetInt64());
            }
        }

        Assert.Single(orderIds);
        Assert.Single((await shopper.GetJsonAsync("/api/v1/orders")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Another_users_order_is_not_found()
    {
        var owner = await Shopper.SignUpAsync(platform);
        var stranger = await Shopper.SignUpAsync(platform);
        var orderId = await owner.CreateOrderAsync("column", Catalog.PaidColumn);

        using var read = await stranger.GetAsync($"/api/v1/orders/{orderId}");
        using var cancel = await stranger.PostAsync($"/api/v1/orders/{orderId}/cancel", body: null);
        using var pay = await stranger.PayAsync(orderId, "sandbox");

        await HttpAssert.ProblemAsync(read, HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(cancel, HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(pay, HttpStatusCode.NotFound, "not_found");
        Assert.Equal("pending", await owner.OrderStatusAsync(orderId));
    }

    [Fact]
    public async Task A_pending_order_is_cancelled_once_and_then_cannot_be_paid()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var orderId = await shopper.CreateOrderAsync("course", Catalog.PaidCourse);

        using var cancelled = await shopper.PostAsync($"/api/v1/orders/{orderId}/cancel", body: null);
        using var again = await shopper.PostAsync($"/api/v1/orders/{orderId}/cancel", body: null);
        using var pay = await shopper.PayAsync(orderId, "coin");

        Assert.Equal("cancelled", (await HttpAssert.JsonAsync(cancelled, HttpStatusCode.OK)).GetProperty("status").GetString());
        await HttpAssert.ProblemAsync(again, HttpStatusCode.Conflict, "order_not_pending");
        await HttpAssert.ProblemAsync(pay, HttpStatusCode.Conflict, "order_not_payable");
    }

    [Fact]
    public async Task A_read_that_names_the_status_it_saw_waits_for_a_change_and_is_304_when_there_was_none()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var stranger = await Shopper.SignUpAsync(platform);
        var orderId = await shopper.CreateOrderAsync("course", Catalog.PaidCourse);
        var path = $"/api/v1/orders/{orderId}";
        static Action<HttpRequestHeaders> Seen(string status, int wait = 0) => headers =>
        {
            headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{status}\""));
            if (wait > 0)
            {
                headers.Add("Prefer", $"wait={wait}");
            }
        };

        using var first = await shopper.GetAsync(path);
        using var unchanged = await shopper.GetAsync(path, Seen("pending"));
        using var elsewhere = await stranger.GetAsync(path, Seen("pending", wait: 1));
        using var held = await shopper.GetAsync(path, Seen("pending", wait: 60));
        using var cancel = await shopper.PostAsync($"{path}/cancel", body: null);
        using var changed = await shopper.GetAsync(path, Seen("pending", wait: 60));

        Assert.Equal("\"pending\"", first.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal("\"pending\"", unchanged.Headers.ETag?.Tag);
        Assert.False(unchanged.Headers.Contains("Preference-Applied"));
        await HttpAssert.ProblemAsync(elsewhere, HttpStatusCode.NotFound, "not_found");
        // Nothing changed while it was held: a wait beyond what the service holds a request for is cut, and says so.
        Assert.Equal(HttpStatusCode.NotModified, held.StatusCode);
        Assert.Equal("wait=1", Assert.Single(held.Headers.GetValues("Preference-Applied")));
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        // A status other than the one seen is answered at once.
        Assert.Equal("cancelled", (await HttpAssert.JsonAsync(changed, HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal("\"cancelled\"", changed.Headers.ETag?.Tag);
        Assert.False(changed.Headers.Contains("Preference-Applied"));
    }

    [Fact]
    public async Task Orders_need_a_signed_in_user()
    {
        using var response = await platform.Gateway.PostAsJsonAsync("/api/v1/orders", new { productType = "column", productId = 1 });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
