using System.Net;
using Aspire.Hosting.Testing;
using Dedao.Contracts;
using Dedao.Testing;

namespace Dedao.Commerce.Tests;

[Collection(Commerce.Name)]
public sealed class PurchaseTests(CommerceFixture platform)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_top_up_confirmed_twice_is_credited_once()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var credited = await platform.Bus.SubscribeAsync<CoinsCredited>();
        using var created = await shopper.PostAsync("/api/v1/coins/topups", new { coins = 500 }, Guid.NewGuid().ToString());
        var topup = await HttpAssert.JsonAsync(created, HttpStatusCode.Created);
        var topupId = topup.GetProperty("topupId").GetInt64();
        var paymentId = topup.GetProperty("paymentId").GetInt64();
        Assert.Equal(50_000, topup.GetProperty("amountFen").GetInt64());

        using var first = await shopper.ConfirmAsync(paymentId, "success");
        using var second = await shopper.ConfirmAsync(paymentId, "success");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        await credited.WaitForAsync(e => e.TopupId == topupId, EventTimeout);
        await Shopper.EventuallyAsync(async () => await shopper.PaymentStatusAsync(paymentId) == "succeeded", () => "top-up paid");
        Assert.Equal(500, await shopper.BalanceAsync());
        Assert.Equal(1, await Invariants.LedgerCountAsync(platform, shopper.UserId, "Topup"));
        Assert.Equal("credited", (await shopper.GetJsonAsync($"/api/v1/coins/topups/{topupId}")).GetProperty("status").GetString());
        Assert.Single(credited.Received, e => e.Event.TopupId == topupId);
    }

    [Fact]
    public async Task A_column_bought_with_coins_is_paid_then_completed_when_access_is_granted()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paid = await platform.Bus.SubscribeAsync<OrderPaid>();
        await shopper.TopUpAsync(100);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);

        using var payment = await shopper.PayAsync(orderId, "coin");

        var body = await HttpAssert.JsonAsync(payment, HttpStatusCode.OK);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.Equal(1, await shopper.BalanceAsync());
        var orderPaid = await paid.WaitForAsync(e => e.OrderId == orderId, EventTimeout);
        Assert.Equal(Catalog.PaidColumnPriceFen, orderPaid.Event.AmountFen);
        Assert.Equal(ProductType.Column, orderPaid.Event.ProductType);

        // Column's part, played here: access granted, twice under one message id and once more under another.
        var granted = new AccessGranted(orderId, shopper.UserId, ProductType.Column, Catalog.PaidColumn);
        var messageId = await platform.Bus.PublishAsync(granted);
        await platform.Bus.PublishAsync(granted, messageId);
        await platform.Bus.PublishAsync(granted);
        await Shopper.EventuallyAsync(async () => await shopper.OrderStatusAsync(orderId) == "completed", () => $"order {orderId} completed");
        using var again = await shopper.OrderAsync("column", Catalog.PaidColumn, Guid.NewGuid().ToString());
        await HttpAssert.ProblemAsync(again, HttpStatusCode.Conflict, "already_owned");
        Assert.Single(paid.Received, e => e.Event.OrderId == orderId);
    }

    [Fact]
    public async Task A_column_bought_through_the_sandbox_is_paid()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var orderId = await shopper.CreateOrderAsync("course", Catalog.PaidCourse);
        using var created = await shopper.PayAsync(orderId, "sandbox");
        var paymentId = (await HttpAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("paymentId").GetInt64();

        using var confirmed = await shopper.ConfirmAsync(paymentId, "success");

        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
        await Shopper.EventuallyAsync(async () => await shopper.OrderStatusAsync(orderId) is "paid" or "completed",
            () => $"order {orderId} paid through the sandbox");
        Assert.Equal("succeeded", await shopper.PaymentStatusAsync(paymentId));
    }

    [Fact]
    public async Task The_same_coin_payment_sent_twenty_times_at_once_takes_the_coins_once()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        await shopper.TopUpAsync(1000);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => shopper.PayAsync(orderId, "coin", key)));

        var paymentIds = new HashSet<long>();
        foreach (var response in responses)
        {
            using (response)
            {
                paymentIds.Add((await HttpAssert.JsonAsync(response, HttpStatusCode.OK)).GetProperty("paymentId").GetInt64());
            }
        }

        Assert.Single(paymentIds);
        Assert.Equal(1000 - Catalog.PaidColumnPriceFen / 100, await shopper.BalanceAsync());
        Assert.Equal(1, await Invariants.LedgerCountAsync(platform, shopper.UserId, "Purchase"));
        await Invariants.AssertHoldAsync(platform);
    }

    /// <summary>
    /// A 5xx gives the key back even when the coins were taken (coin's answer was lost), so the client's retry arrives as a
    /// request of its own: here, under new keys, before and after the order has heard of the payment.
    /// </summary>
    [Fact]
    public async Task A_coin_payment_sent_again_under_another_key_answers_with_the_payment_that_took_the_coins_and_takes_nothing()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        await shopper.TopUpAsync(1000);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);
        using var first = await shopper.PayAsync(orderId, "coin");
        var paymentId = (await HttpAssert.JsonAsync(first, HttpStatusCode.OK)).GetProperty("paymentId").GetInt64();

        using var atOnce = await shopper.PayAsync(orderId, "coin");
        await Shopper.EventuallyAsync(async () => await shopper.OrderStatusAsync(orderId) is "paid" or "completed",
            () => $"order {orderId} paid");
        using var afterPaid = await shopper.PayAsync(orderId, "coin");
        using var otherChannel = await shopper.PayAsync(orderId, "sandbox");

        foreach (var again in new[] { atOnce, afterPaid })
        {
            var body = await HttpAssert.JsonAsync(again, HttpStatusCode.OK);
            Assert.Equal(paymentId, body.GetProperty("paymentId").GetInt64());
            Assert.Equal("succeeded", body.GetProperty("status").GetString());
        }

        await HttpAssert.ProblemAsync(otherChannel, HttpStatusCode.Conflict, "order_not_payable");
        Assert.Equal(1000 - Catalog.PaidColumnPriceFen / 100, await shopper.BalanceAsync());
        Assert.Equal(1, await Invariants.LedgerCountAsync(platform, shopper.UserId, "Purchase"));
    }

    [Fact]
    public async Task Fifty_coin_payments_at_once_on_one_wallet_never_overdraw_it_and_each_product_is_bought_once()
    {
        // Fifty orders spread over more columns of one price than the wallet has coins for (seven): a second success for a
        // column already bought through another order is refunded, and whatever interleaving, at most seven are paid for.
        const long Price = Catalog.PaidColumnPriceFen / 100;
        var shopper = await Shopper.SignUpAsync(platform);
        var columns = await Catalog.ColumnsAtAsync(shopper, Catalog.PaidColumnPriceFen);
        Assert.True(columns.Length > 7, $"the catalog has {columns.Length} paid columns at {Price} coins, fewer than the test needs");
        var succeeded = await platform.Bus.SubscribeAsync<PaymentSucceeded>();
        var paid = await platform.Bus.SubscribeAsync<OrderPaid>();
        var refunds = await platform.Bus.SubscribeAsync<PaymentRefundRequired>();
        await shopper.TopUpAsync(7 * Price);
        var orders = new List<long>();
        for (var n = 0; n < 50; n++)
        {
            orders.Add(await shopper.CreateOrderAsync("column", columns[n % columns.Length]));
        }

        var statuses = await Task.WhenAll(orders.Select(async orderId =>
        {
            using var response = await shopper.PayAsync(orderId, "coin");
            return response.StatusCode;
        }));

        // Refunds of doubled purchases come back while the rest still run, so more than seven may succeed in all. An order
        // whose column another order bought first is cancelled, and its payment refused (409) before any coin moves.
        var answers = string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Count()} × {(int)g.Key}"));
        var succeededCount = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.True(succeededCount >= 1 && statuses.All(s => s is HttpStatusCode.OK or HttpStatusCode.PaymentRequired or HttpStatusCode.Conflict),
            $"expected 200s, and 402 or 409 for the rest, got {answers}");
        int Bought() => paid.Received.Count(e => e.Event.UserId == shopper.UserId);
        int Refunded() => refunds.Received.Count(e => e.Event.UserId == shopper.UserId);
        await Shopper.EventuallyAsync(() => Task.FromResult(Bought() + Refunded() == succeededCount),
            () => $"each of the {succeededCount} payments bought a column or was refunded: {Bought()} bought, {Refunded()} refunded");
        Assert.InRange(Bought(), 1, 7);
        await Shopper.EventuallyAsync(async () => await shopper.BalanceAsync() == (7 - Bought()) * Price,
            () => $"the coins of {Refunded()} doubled purchases back, {Bought()} columns bought");
        Assert.Equal(succeededCount, succeeded.Received.Count(e => e.Event.UserId == shopper.UserId && e.Event.OrderId is not null));
        Assert.Equal(Bought(), paid.Received.Where(e => e.Event.UserId == shopper.UserId).Select(e => e.Event.ProductId).Distinct().Count());
        // A 409 is only ever for an order cancelled because its column was bought through another.
        var bought = paid.Received.Where(e => e.Event.UserId == shopper.UserId).Select(e => e.Event.ProductId).ToHashSet();
        for (var n = 0; n < orders.Count; n++)
        {
            if (statuses[n] == HttpStatusCode.Conflict)
            {
                Assert.Equal("cancelled", await shopper.OrderStatusAsync(orders[n]));
                Assert.Contains(columns[n % columns.Length], bought);
            }
        }

        await Invariants.AssertHoldAsync(platform);
    }

    [Fact]
    public async Task Paying_one_of_two_orders_of_a_product_cancels_the_other_and_its_payment_is_refused_before_coins_move()
    {
        const long Price = Catalog.PaidColumnPriceFen / 100;
        var shopper = await Shopper.SignUpAsync(platform);
        var cancellations = await platform.Bus.SubscribeAsync<OrderCancelled>();
        await shopper.TopUpAsync(2 * Price);
        var first = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);
        var second = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);

        using var paid = await shopper.PayAsync(first, "coin");

        await HttpAssert.JsonAsync(paid, HttpStatusCode.OK);
        var cancelled = await cancellations.WaitForAsync(e => e.OrderId == second, EventTimeout);
        Assert.Equal("already_owned", cancelled.Event.Reason);
        Assert.Equal("cancelled", await shopper.OrderStatusAsync(second));
        using var again = await shopper.PayAsync(second, "coin");
        await HttpAssert.ProblemAsync(again, HttpStatusCode.Conflict, "order_not_payable");
        Assert.Equal(Price, await shopper.BalanceAsync());
        Assert.Equal(1, await Invariants.LedgerCountAsync(platform, shopper.UserId, "Purchase"));
        Assert.Equal(0, await Invariants.LedgerCountAsync(platform, shopper.UserId, "Refund"));
        Assert.DoesNotContain(cancellations.Received, e => e.Event.OrderId == first);
    }

    [Fact]
    public async Task An_order_cancelled_by_its_timeout_refunds_a_payment_that_arrives_later()
    {
        var (shopper, orderId, paymentId) = platform.ExpiringOrder;
        var refunds = await platform.Bus.SubscribeAsync<PaymentRefundRequired>();

        await Dedao.Testing.Poll.UntilAsync(async () => await shopper.OrderStatusAsync(orderId) == "cancelled",
            CommerceFixture.PaymentTimeout + TimeSpan.FromSeconds(15), () => $"order {orderId} cancelled after its payment timeout");
        using var confirmed = await shopper.ConfirmAsync(paymentId, "success");

        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
        var refund = await refunds.WaitForAsync(e => e.PaymentId == paymentId, EventTimeout);
        Assert.Equal("order_cancelled", refund.Event.Reason);
        await Shopper.EventuallyAsync(async () => await shopper.PaymentStatusAsync(paymentId) == "refunded", () => $"payment {paymentId} refunded");
        Assert.Equal("cancelled", await shopper.OrderStatusAsync(orderId));

        // The money went back at the provider, in full, before the payment said refunded.
        var amountFen = (await shopper.GetJsonAsync($"/api/v1/payments/{paymentId}")).GetProperty("amountFen").GetInt64();
        using var provider = platform.App.CreateHttpClient("pay-sandbox");
        using var atProvider = await provider.GetAsync(new Uri($"/charges/{paymentId}/refund", UriKind.Relative));
        Assert.Equal(amountFen, (await HttpAssert.JsonAsync(atProvider, HttpStatusCode.OK)).GetProperty("amountFen").GetInt64());
    }
}
