using System.Net.Http.Json;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using Aspire.Hosting.Testing;
using Dedao.Contracts;
using Dedao.Testing;

namespace Dedao.Commerce.Tests;

[Collection(Commerce.Name)]
public sealed class PaymentTests(CommerceFixture platform)
{
    [Fact]
    public async Task A_coin_payment_from_an_empty_wallet_is_402_and_takes_nothing()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);

        using var response = await shopper.PayAsync(orderId, "coin");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.PaymentRequired, "insufficient_balance");
        Assert.Equal(0, await shopper.BalanceAsync());
        Assert.Equal("pending", await shopper.OrderStatusAsync(orderId));
    }

    [Fact]
    public async Task A_payment_needs_an_idempotency_key()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);

        using var response = await shopper.PostAsync("/api/v1/payments", new { orderId, channel = "sandbox" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "idempotency_key_required");
    }

    [Fact]
    public async Task A_payment_without_its_channel_or_its_order_or_with_a_number_for_a_channel_is_400_and_takes_nothing()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var balance = await shopper.TopUpAsync(Catalog.PaidColumnPriceFen / 100);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);

        // Enough coins are there: a missing channel taken as "coin" would have paid the order with them.
        using var withoutChannel = await shopper.PostAsync("/api/v1/payments", new { orderId }, Guid.NewGuid().ToString());
        using var withoutOrder = await shopper.PostAsync("/api/v1/payments", new { channel = "coin" }, Guid.NewGuid().ToString());
        using var channelAsNumber = await shopper.PostAsync("/api/v1/payments", new { orderId, channel = 0 }, Guid.NewGuid().ToString());

        Assert.True((await HttpAssert.ProblemAsync(withoutChannel, HttpStatusCode.BadRequest, "validation_failed"))
            .GetProperty("errors").TryGetProperty("channel", out _));
        Assert.True((await HttpAssert.ProblemAsync(withoutOrder, HttpStatusCode.BadRequest, "validation_failed"))
            .GetProperty("errors").TryGetProperty("orderId", out _));
        await HttpAssert.ProblemAsync(channelAsNumber, HttpStatusCode.BadRequest, "invalid_body");
        Assert.Equal(balance, await shopper.BalanceAsync());
        Assert.Equal("pending", await shopper.OrderStatusAsync(orderId));
    }

    [Fact]
    public async Task Another_users_payment_is_not_found()
    {
        var owner = await Shopper.SignUpAsync(platform);
        var stranger = await Shopper.SignUpAsync(platform);
        var paymentId = await owner.SandboxPaymentAsync();

        using var read = await stranger.GetAsync($"/api/v1/payments/{paymentId}");
        using var confirm = await stranger.ConfirmAsync(paymentId, "success");

        await HttpAssert.ProblemAsync(read, HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(confirm, HttpStatusCode.NotFound, "not_found");
        Assert.Equal("pending", await owner.PaymentStatusAsync(paymentId));
    }

    [Fact]
    public async Task A_forged_notice_is_401_and_changes_nothing()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paymentId = await shopper.SandboxPaymentAsync();
        var body = Notice(paymentId, Catalog.PaidColumnPriceFen, "success");

        using var unsigned = await NotifyAsync(body, signature: null);
        using var forged = await NotifyAsync(body, Sign(body, "not the shared secret"));
        using var tampered = await NotifyAsync(Notice(paymentId, 1, "success"), Sign(body, platform.SandboxSecret));

        await HttpAssert.ProblemAsync(unsigned, HttpStatusCode.Unauthorized, "invalid_signature");
        await HttpAssert.ProblemAsync(forged, HttpStatusCode.Unauthorized, "invalid_signature");
        await HttpAssert.ProblemAsync(tampered, HttpStatusCode.Unauthorized, "invalid_signature");
        Assert.Equal("pending", await shopper.PaymentStatusAsync(paymentId));
    }

    [Fact]
    public async Task A_notice_whose_amount_differs_is_refused()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paymentId = await shopper.SandboxPaymentAsync();
        var body = Notice(paymentId, 1, "success");

        using var response = await NotifyAsync(body, Sign(body, platform.SandboxSecret));

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "amount_mismatch");
        Assert.Equal("pending", await shopper.PaymentStatusAsync(paymentId));
    }

    [Fact]
    public async Task The_same_notice_ten_times_at_once_and_a_late_fail_settle_the_payment_once()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paymentId = await shopper.SandboxPaymentAsync();
        var success = Notice(paymentId, Catalog.PaidColumnPriceFen, "success");
        var fail = Notice(paymentId, Catalog.PaidColumnPriceFen, "fail");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => NotifyAsync(success, Sign(success, platform.SandboxSecret))));
        using var late = await NotifyAsync(fail, Sign(fail, platform.SandboxSecret));

        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        var payment = await shopper.GetJsonAsync($"/api/v1/payments/{paymentId}");
        Assert.Equal("succeeded", payment.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_sandbox_confirms_through_a_signed_notice()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paymentId = await shopper.SandboxPaymentAsync();

        using var confirmed = await shopper.ConfirmAsync(paymentId, "fail");

        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
        await Shopper.EventuallyAsync(async () => await shopper.PaymentStatusAsync(paymentId) == "failed",
            () => $"payment {paymentId} failed by the sandbox's notice");
    }

    [Fact]
    public async Task Internal_calls_are_not_routed_by_the_gateway_and_need_a_token()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        using var throughGateway = await shopper.PostAsync("/internal/coins/debits", new { paymentId = 1, amountFen = 100 });
        using var coin = platform.App.CreateHttpClient("coin");
        using var direct = await coin.PostAsJsonAsync("/internal/coins/debits", new { paymentId = 1, amountFen = 100 });
        using var pay = platform.App.CreateHttpClient("pay");
        using var topup = await pay.PostAsJsonAsync("/internal/payments/topups", new { topupId = 1, amountFen = 100 });

        Assert.Equal(HttpStatusCode.NotFound, throughGateway.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, topup.StatusCode);
    }

    [Fact]
    public async Task A_debit_asked_again_for_another_wallet_or_amount_is_409_and_takes_nothing()
    {
        const long priceCoins = Catalog.PaidColumnPriceFen / 100;
        var buyer = await Shopper.SignUpAsync(platform);
        var other = await Shopper.SignUpAsync(platform);
        var balance = await buyer.TopUpAsync(priceCoins);
        var otherBalance = await other.TopUpAsync(priceCoins);
        var orderId = await buyer.CreateOrderAsync("column", Catalog.PaidColumn);
        using var paid = await buyer.PayAsync(orderId, "coin");
        var paymentId = (await HttpAssert.JsonAsync(paid, HttpStatusCode.OK)).GetProperty("paymentId").GetInt64();

        // Pay's own call again, then the same payment id for a coin, and for another reader's wallet: had coin taken either
        // for the payment's success, a payment id claimed first with one coin would pass for an order's price paid.
        using var repeated = await buyer.PostToServiceAsync("coin", "/internal/coins/debits", new { paymentId, amountFen = Catalog.PaidColumnPriceFen });
        using var oneCoin = await buyer.PostToServiceAsync("coin", "/internal/coins/debits", new { paymentId, amountFen = 100 });
        using var otherWallet = await other.PostToServiceAsync("coin", "/internal/coins/debits", new { paymentId, amountFen = Catalog.PaidColumnPriceFen });

        Assert.True((await HttpAssert.JsonAsync(repeated, HttpStatusCode.OK)).GetProperty("repeated").GetBoolean());
        await HttpAssert.ProblemAsync(oneCoin, HttpStatusCode.Conflict, "debit_conflict");
        await HttpAssert.ProblemAsync(otherWallet, HttpStatusCode.Conflict, "debit_conflict");
        Assert.Equal(balance - priceCoins, await buyer.BalanceAsync());
        Assert.Equal(otherBalance, await other.BalanceAsync());
        Assert.Equal(1, await Invariants.LedgerCountAsync(platform, buyer.UserId, "Purchase"));
        Assert.Equal(0, await Invariants.LedgerCountAsync(platform, other.UserId, "Purchase"));
    }

    [Fact]
    public async Task A_top_up_payment_asked_again_for_another_reader_or_amount_is_409()
    {
        var reader = await Shopper.SignUpAsync(platform);
        var other = await Shopper.SignUpAsync(platform);
        using var created = await reader.PostAsync("/api/v1/coins/topups", new { coins = 5 }, Guid.NewGuid().ToString());
        var topup = await HttpAssert.JsonAsync(created, HttpStatusCode.Created);
        var (topupId, paymentId, amountFen) = (topup.GetProperty("topupId").GetInt64(), topup.GetProperty("paymentId").GetInt64(),
            topup.GetProperty("amountFen").GetInt64());

        using var again = await reader.PostToServiceAsync("pay", "/internal/payments/topups", new { topupId, amountFen });
        using var cheaper = await reader.PostToServiceAsync("pay", "/internal/payments/topups", new { topupId, amountFen = 1 });
        using var someoneElse = await other.PostToServiceAsync("pay", "/internal/payments/topups", new { topupId, amountFen });

        Assert.Equal(paymentId, (await HttpAssert.JsonAsync(again, HttpStatusCode.OK)).GetProperty("paymentId").GetInt64());
        await HttpAssert.ProblemAsync(cheaper, HttpStatusCode.Conflict, "topup_conflict");
        await HttpAssert.ProblemAsync(someoneElse, HttpStatusCode.Conflict, "topup_conflict");
    }

    [Fact]
    public async Task A_payment_success_for_a_top_up_of_another_amount_credits_nothing_and_is_dead_lettered()
    {
        const string deadQueue = "coin.payment.succeeded.dead";
        var reader = await Shopper.SignUpAsync(platform);
        using var created = await reader.PostAsync("/api/v1/coins/topups", new { coins = 5 }, Guid.NewGuid().ToString());
        var topup = await HttpAssert.JsonAsync(created, HttpStatusCode.Created);
        var (topupId, paymentId) = (topup.GetProperty("topupId").GetInt64(), topup.GetProperty("paymentId").GetInt64());
        var dead = await platform.Bus.CountAsync(deadQueue);

        // One fen paid, as a payment for another sum would report it: crediting the top-up's five coins would sell them for it.
        await platform.Bus.PublishAsync(new PaymentSucceeded(paymentId, null, topupId, reader.UserId, PaymentChannel.Sandbox, AmountFen: 1));
        await Shopper.EventuallyAsync(async () => await platform.Bus.CountAsync(deadQueue) == dead + 1,
            () => $"the success of payment {paymentId} for 1 fen parked in {deadQueue} after coin's retries");
        await platform.Bus.PurgeAsync(deadQueue);
        Assert.Equal(0, await reader.BalanceAsync());

        // The top-up's own payment still credits it, once.
        using var confirmed = await reader.ConfirmAsync(paymentId, "success");
        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
        await Shopper.EventuallyAsync(async () => await reader.BalanceAsync() == 5, () => $"top-up {topupId} credited");
        Assert.Equal(1, await Invariants.LedgerCountAsync(platform, reader.UserId, "Topup"));
    }

    [Fact]
    public async Task A_sandbox_payment_whose_notice_is_lost_is_settled_from_the_providers_record_and_its_order_completes()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paymentId = await shopper.SandboxPaymentAsync();
        var orderId = (await shopper.GetJsonAsync($"/api/v1/payments/{paymentId}")).GetProperty("orderId").GetInt64();
        using var provider = platform.App.CreateHttpClient("pay-sandbox");

        // The customer pays at the provider, and the provider's notice never reaches pay.
        using var paid = await ConfirmWithoutNoticeAsync(provider, paymentId, Catalog.PaidColumnPriceFen, "success");
        Assert.Equal(HttpStatusCode.Accepted, paid.StatusCode);
        using var record = await provider.GetAsync(ChargeOf(paymentId));
        var charge = await HttpAssert.JsonAsync(record, HttpStatusCode.OK);
        Assert.Equal("success", charge.GetProperty("result").GetString());

        await Shopper.EventuallyAsync(async () => await shopper.OrderStatusAsync(orderId) == "completed",
            () => $"order {orderId} completed after pay looked its payment up at the provider");
        var payment = await shopper.GetJsonAsync($"/api/v1/payments/{paymentId}");
        Assert.Equal("succeeded", payment.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_sandbox_payment_whose_providers_record_has_another_amount_is_left_pending_by_reconciliation()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var mismatched = await shopper.SandboxPaymentAsync();
        var orderId = (await shopper.GetJsonAsync($"/api/v1/payments/{mismatched}")).GetProperty("orderId").GetInt64();
        using var provider = platform.App.CreateHttpClient("pay-sandbox");

        // Both notices lost; the provider holds one cent more than pay asked for the first. The first is confirmed before
        // the second payment exists, so no round can look at the second without the first's record being there.
        using var wrong = await ConfirmWithoutNoticeAsync(provider, mismatched, Catalog.PaidColumnPriceFen + 1, "success");
        Assert.Equal(HttpStatusCode.Accepted, wrong.StatusCode);
        var other = await Shopper.SignUpAsync(platform);
        var matching = await other.SandboxPaymentAsync();
        using var right = await ConfirmWithoutNoticeAsync(provider, matching, Catalog.PaidColumnPriceFen, "success");
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);

        // A round looks at the oldest pending payments first: the one that settled the later payment looked at this one.
        await Shopper.EventuallyAsync(async () => (await other.GetJsonAsync($"/api/v1/payments/{matching}")).GetProperty("status").GetString() == "succeeded",
            () => $"payment {matching} settled from the provider's record");
        Assert.Equal("pending", (await shopper.GetJsonAsync($"/api/v1/payments/{mismatched}")).GetProperty("status").GetString());
        Assert.Equal("pending", await shopper.OrderStatusAsync(orderId));
    }

    [Fact]
    public async Task The_provider_keeps_a_paid_charge_paid_when_the_customer_answers_again()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        var paymentId = await shopper.SandboxPaymentAsync();
        using var provider = platform.App.CreateHttpClient("pay-sandbox");
        using var paid = await ConfirmWithoutNoticeAsync(provider, paymentId, Catalog.PaidColumnPriceFen, "success");
        Assert.Equal(HttpStatusCode.Accepted, paid.StatusCode);
        using var first = await provider.GetAsync(ChargeOf(paymentId));
        var charge = await HttpAssert.JsonAsync(first, HttpStatusCode.OK);

        using var declined = await ConfirmWithoutNoticeAsync(provider, paymentId, Catalog.PaidColumnPriceFen, "fail");
        Assert.Equal(HttpStatusCode.Accepted, declined.StatusCode);
        using var second = await provider.GetAsync(ChargeOf(paymentId));
        var after = await HttpAssert.JsonAsync(second, HttpStatusCode.OK);

        Assert.Equal("success", after.GetProperty("result").GetString());
        Assert.Equal(charge.GetProperty("transactionId").GetString(), after.GetProperty("transactionId").GetString());
    }

    /// <summary>The customer's answer at the provider, whose notice to pay is lost on purpose.</summary>
    private static Task<HttpResponseMessage> ConfirmWithoutNoticeAsync(HttpClient provider, long paymentId, long amountFen, string result) =>
        provider.PostAsJsonAsync(new Uri($"/charges/{paymentId}/confirm", UriKind.Relative), new { amountFen, result, sendNotice = false });

    private static Uri ChargeOf(long paymentId) => new($"/charges/{paymentId}", UriKind.Relative);

    private static byte[] Notice(long paymentId, long amountFen, string result) =>
        JsonSerializer.SerializeToUtf8Bytes(new { paymentId, amountFen, result, transactionId = $"test_{Guid.NewGuid():N}" });

    private static string Sign(byte[] body, string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private async Task<HttpResponseMessage> NotifyAsync(byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/notify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null)
        {
            request.Headers.Add("X-Sandbox-Signature", signature);
        }

        return await platform.Gateway.SendAsync(request);
    }
}
