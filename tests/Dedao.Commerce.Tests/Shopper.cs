using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Dedao.Testing;

namespace Dedao.Commerce.Tests;

/// <summary>A newly registered reader, signed in, calling through the gateway as a client would.</summary>
public sealed class Shopper(CommerceFixture platform, Guid userId, string accessToken)
{
    private static readonly TimeSpan EventualTimeout = TimeSpan.FromSeconds(30);

    public Guid UserId => userId;

    /// <summary>
    /// Registered and signed in at passport directly, through Aspire's retrying client: password hashing on a loaded 2-core
    /// machine can pass the gateway's 2 s, and signing up is not what these tests are about.
    /// </summary>
    public static async Task<Shopper> SignUpAsync(CommerceFixture platform)
    {
        using var passport = platform.App.CreateHttpClient("passport");
        var reader = await Readers.SignUpAsync(passport, "买家");
        return new Shopper(platform, reader.UserId, reader.Token);
    }

    /// <param name="headers">Conditions and preferences, such as <c>If-None-Match</c> and <c>Prefer</c>.</param>
    public Task<HttpResponseMessage> GetAsync(string path, Action<HttpRequestHeaders>? headers = null) =>
        SendAsync(HttpMethod.Get, path, body: null, idempotencyKey: null, headers);

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, path, body, idempotencyKey);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await GetAsync(path);
        return await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    public Task<HttpResponseMessage> OrderAsync(string productType, long productId, string? idempotencyKey) =>
        PostAsync("/api/v1/orders", new { productType, productId }, idempotencyKey);

    /// <summary>A new pending order (201 asserted): its id.</summary>
    public async Task<long> CreateOrderAsync(string productType, long productId)
    {
        using var response = await OrderAsync(productType, productId, Guid.NewGuid().ToString());
        return (await HttpAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("orderId").GetInt64();
    }

    public Task<HttpResponseMessage> PayAsync(long orderId, string channel, string? idempotencyKey = null) =>
        PostAsync("/api/v1/payments", new { orderId, channel }, idempotencyKey ?? Guid.NewGuid().ToString());

    /// <summary>A new order of the paid column and its sandbox payment, pending at the provider (201 asserted): the payment's id.</summary>
    public async Task<long> SandboxPaymentAsync()
    {
        var orderId = await CreateOrderAsync("column", Catalog.PaidColumn);
        using var response = await PayAsync(orderId, "sandbox");
        var payment = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal("pending", payment.GetProperty("status").GetString());
        return payment.GetProperty("paymentId").GetInt64();
    }

    /// <summary>A top-up paid at the sandbox, until coin has credited it: the balance after.</summary>
    public async Task<long> TopUpAsync(long coins)
    {
        var before = await BalanceAsync();
        using var created = await PostAsync("/api/v1/coins/topups", new { coins }, Guid.NewGuid().ToString());
        var topup = await HttpAssert.JsonAsync(created, HttpStatusCode.Created);
        using var confirmed = await ConfirmAsync(topup.GetProperty("paymentId").GetInt64(), "success");
        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
        await EventuallyAsync(async () => await BalanceAsync() == before + coins, () => $"the top-up of {coins} coins credited");
        return before + coins;
    }

    public Task<HttpResponseMessage> ConfirmAsync(long paymentId, string result) =>
        PostAsync($"/api/v1/payments/sandbox/{paymentId}/confirm", new { result });

    public async Task<long> BalanceAsync() => (await GetJsonAsync("/api/v1/coins/wallet")).GetProperty("balance").GetInt64();

    public async Task<string> OrderStatusAsync(long orderId) =>
        (await GetJsonAsync($"/api/v1/orders/{orderId}")).GetProperty("status").GetString()!;

    public async Task<string> PaymentStatusAsync(long paymentId) =>
        (await GetJsonAsync($"/api/v1/payments/{paymentId}")).GetProperty("status").GetString()!;

    /// <summary>Waits for something the bus brings about (a credit, an order completed), with a deadline.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, Func<string> describe) =>
        Poll.UntilAsync(condition, EventualTimeout, describe);

    /// <summary>A call straight to a service, past the gateway, on this reader's token: as another service calls it for them.</summary>
    public async Task<HttpResponseMessage> PostToServiceAsync(string resource, string path, object body)
    {
        using var service = platform.App.CreateHttpClient(resource);
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await service.PostAsJsonAsync(path, body);
    }

    /// <summary>A payment sent once, with no resend: for a test about this very request's answer.</summary>
    public Task<HttpResponseMessage> PayOnceAsync(long orderId, string channel) =>
        platform.Gateway.SendAsync(NewRequest(HttpMethod.Post, "/api/v1/payments", new { orderId, channel }, Guid.NewGuid().ToString()));

    /// <summary>
    /// Sends as a careful client does on a loaded machine (<see cref="Resend"/>): the same Idempotency-Key makes a resend
    /// safe. No test here expects a 503.
    /// </summary>
    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey,
        Action<HttpRequestHeaders>? headers = null) =>
        Resend.UntilServedAsync(() => platform.Gateway.SendAsync(NewRequest(method, path, body, idempotencyKey, headers)));

    private HttpRequestMessage NewRequest(HttpMethod method, string path, object? body, string? idempotencyKey,
        Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        headers?.Invoke(request.Headers);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }
}
