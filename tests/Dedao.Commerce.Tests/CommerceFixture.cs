using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Dedao.Testing;

namespace Dedao.Commerce.Tests;

/// <summary>
/// The whole platform, booted once for the project from the AppHost's own model, with what tests need to be quick: orders
/// expire after <see cref="PaymentTimeout"/>, the sandbox retries within seconds, the gateway's limits are out of the way
/// (its own tests cover them), and the sandbox's secret is known, so a test can sign a notice as the provider would.
/// </summary>
public sealed class CommerceFixture : IAsyncLifetime
{
    /// <summary>Long enough for a test's orders on a loaded 2-core machine; the one order that must expire is made at start.</summary>
    public static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("Not started.");

    public string SandboxSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Listens on the bus as another service would (and stands in for one when a test needs it).</summary>
    public EventBusProbe Bus { get; private set; } = null!;

    /// <summary>An order with a pending sandbox payment, made at start so that its timeout runs while the other tests do.</summary>
    public (Shopper Shopper, long OrderId, long PaymentId) ExpiringOrder { get; private set; }

    /// <summary>A plain client on the gateway: no retry handler that would wait out a 503's Retry-After.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await TestAppModel.CreatePlatformAsync($"--Parameters:sandbox-secret={SandboxSecret}");
        // The dead-letter tests wait out order's and coin's retries: two, within seconds, not the minutes a deployment waits.
        Project(builder, "order").WithEnvironment("Order__PaymentTimeout", PaymentTimeout.ToString());
        foreach (var service in new[] { "order", "coin" })
        {
            Project(builder, service)
                .WithEnvironment("EventBus__RetryDelays__0", "00:00:01")
                .WithEnvironment("EventBus__RetryDelays__1", "00:00:02");
        }

        // Password hashing, and fifty debits queued on one wallet's row, outlast the 1.5 s request budget and the 1 s
        // command timeout on a loaded test machine; both have tests of their own (ServiceDefaults, EndToEnd).
        foreach (var service in new[] { "passport", "order", "pay", "coin" })
        {
            Project(builder, service)
                .WithEnvironment("Dedao__RequestBudget", "00:00:15")
                .WithEnvironment("Aspire__Pomelo__EntityFrameworkCore__MySql__CommandTimeout", "15");
        }
        // A payment whose notice is lost is looked up at the provider within seconds, not after the minutes a deployment waits.
        Project(builder, "pay")
            .WithEnvironment("Sandbox__ReconcileAfter", "00:00:02")
            .WithEnvironment("Sandbox__ReconcileInterval", "00:00:01");
        Project(builder, "pay-sandbox")
            .WithEnvironment("Sandbox__FirstRetryDelay", "00:00:00.200")
            .WithEnvironment("Sandbox__MaxRetryDelay", "00:00:02");
        var gateway = Project(builder, "gateway");
        foreach (var policy in new[] { "standard", "login", "register" })
        {
            gateway.WithEnvironment($"RateLimiting__Policies__{policy}__PermitLimit", "1000000")
                .WithEnvironment($"RateLimiting__Policies__{policy}__TokensPerPeriod", "1000000");
        }

        _app = await builder.BuildAsync();
        await _app.StartAsync();
        await ResourceHealth.WaitForAllHealthyAsync(_app, StartTimeout);
        using (var probe = _app.CreateHttpClient("gateway"))
        {
            Gateway = new HttpClient { BaseAddress = probe.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        }

        Bus = await EventBusProbe.ConnectAsync(await _app.GetConnectionStringAsync("messaging")
            ?? throw new InvalidOperationException("messaging has no connection string"));
        await WarmUpAsync();
        var shopper = await Shopper.SignUpAsync(this);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);
        using var payment = await shopper.PayAsync(orderId, "sandbox");
        ExpiringOrder = (shopper, orderId, (await HttpAssert.JsonAsync(payment, System.Net.HttpStatusCode.Created)).GetProperty("paymentId").GetInt64());
    }

    /// <summary>
    /// A cold service takes over a second for its first signed-in query (JIT, key fetch, EF compilation), near the gateway's
    /// 2 s: like a deployment's warm-up probe, one purchase's worth of calls straight to the services (whose clients retry).
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var passport = App.CreateHttpClient("passport");
        var token = (await Readers.SignUpAsync(passport, "warm-up")).Token;

        // A cold service may still answer 503 within its request budget; the same key makes a resend safe.
        async Task<JsonElement> CallAsync(string service, HttpMethod method, string path, object? body = null)
        {
            using var client = App.CreateHttpClient(service);
            var key = Guid.NewGuid().ToString();
            var answer = default(JsonElement);
            var status = 0;
            await Poll.UntilAsync(async () =>
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Add("Idempotency-Key", key);
                using var response = await client.SendAsync(request);
                status = (int)response.StatusCode;
                answer = response.Content.Headers.ContentLength is > 0 ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
                return status < 500;
            }, TimeSpan.FromMinutes(1), () => $"{service} {method} {path} still answers {status}");
            return answer;
        }

        await CallAsync("column", HttpMethod.Get, $"/api/v1/columns/{Catalog.PaidColumn}");
        await CallAsync("course", HttpMethod.Get, $"/api/v1/courses/{Catalog.PaidCourse}");
        await CallAsync("coin", HttpMethod.Get, "/api/v1/coins/wallet");
        await CallAsync("pay", HttpMethod.Get, "/api/v1/payments/1");
        var order = await CallAsync("order", HttpMethod.Post, "/api/v1/orders", new { productType = "column", productId = Catalog.PaidColumn });
        var orderId = order.TryGetProperty("orderId", out var id) ? id.GetInt64()
            : throw new InvalidOperationException($"The warm-up order was refused: {order}");
        await CallAsync("pay", HttpMethod.Post, "/api/v1/payments", new { orderId, channel = "coin" });
        await CallAsync("pay", HttpMethod.Post, "/api/v1/payments", new { orderId, channel = "sandbox" });
        await CallAsync("coin", HttpMethod.Post, "/api/v1/coins/topups", new { coins = 1 });
    }

    public ValueTask<string?> ConnectionStringAsync(string database) => App.GetConnectionStringAsync(database);

    private static IResourceBuilder<ProjectResource> Project(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == name));

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (Bus is not null)
        {
            await Bus.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class Commerce : ICollectionFixture<CommerceFixture>
{
    public const string Name = "commerce";
}
