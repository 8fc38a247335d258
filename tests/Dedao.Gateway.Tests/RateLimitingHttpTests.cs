using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dedao.Gateway.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Yarp.ReverseProxy.Configuration;

namespace Dedao.Gateway.Tests;

/// <summary>The rate limiting as a client of the gateway sees it, through in-process replicas sharing a real Redis.</summary>
public sealed class RateLimitingHttpTests
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);
    private static readonly IPAddress OtherClient = IPAddress.Parse("127.0.0.2");
    private static readonly Dictionary<string, string?> ShortRedisTimeout = new() { ["RateLimiting:RedisTimeout"] = "00:00:00.250" };

    [Fact]
    public async Task Limited_responses_count_down_and_the_one_over_is_a_problem_429()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var gateway = await RateLimitingTestApp.StartAsync(redis);
        using var client = gateway.CreateClient();

        using (var open = await client.GetAsync("/open"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
            Assert.False(open.Headers.Contains(RateLimitHeaders.Limit));
            Assert.False(open.Headers.Contains(RateLimitHeaders.Remaining));
        }

        foreach (var remaining in new[] { "2", "1", "0" })
        {
            using var admitted = await client.GetAsync("/limited");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.Equal("3", Header(admitted, RateLimitHeaders.Limit));
            Assert.Equal(remaining, Header(admitted, RateLimitHeaders.Remaining));
        }

        using var rejected = await client.GetAsync("/limited");
        await AssertTooManyRequestsAsync(rejected, maxRetryAfterSeconds: 1200);
    }

    [Fact]
    public async Task Two_gateway_replicas_share_one_budget()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var a = await RateLimitingTestApp.StartAsync(redis);
        await using var b = await RateLimitingTestApp.StartAsync(redis);
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();

        var remaining = new List<string>();
        for (var i = 0; i < RateLimitingTestApp.Permits; i++)
        {
            using var admitted = await (i % 2 == 0 ? onA : onB).GetAsync("/limited");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            remaining.Add(Header(admitted, RateLimitHeaders.Remaining));
        }

        Assert.Equal(["2", "1", "0"], remaining);
        using var overOnB = await onB.GetAsync("/limited");
        await AssertTooManyRequestsAsync(overOnB, maxRetryAfterSeconds: 1200);
        using var overOnA = await onA.GetAsync("/limited");
        await AssertTooManyRequestsAsync(overOnA, maxRetryAfterSeconds: 1200);
    }

    [Fact]
    public async Task Redis_down_requests_are_still_limited_locally()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var gateway = await RateLimitingTestApp.StartAsync(redis, ShortRedisTimeout);
        using var client = gateway.CreateClient();
        using (var before = await client.GetAsync("/limited"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        redis.Kill();

        foreach (var remaining in new[] { "2", "1", "0" })
        {
            using var admitted = await client.GetAsUserAsync("/limited", "carol");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.Equal("3", Header(admitted, RateLimitHeaders.Limit));
            Assert.Equal(remaining, Header(admitted, RateLimitHeaders.Remaining));
        }

        for (var i = 0; i < 3; i++)
        {
            using var rejected = await client.GetAsUserAsync("/limited", "carol");
            await AssertTooManyRequestsAsync(rejected, maxRetryAfterSeconds: 3600);
        }

        using var open = await client.GetAsUserAsync("/open", "carol");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task Redis_back_the_replicas_share_the_budget_again_after_the_cool_down()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var a = await RateLimitingTestApp.StartAsync(redis);
        await using var b = await RateLimitingTestApp.StartAsync(redis);
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();
        redis.Kill();
        foreach (var client in new[] { onA, onB })
        {
            using var local = await client.GetAsUserAsync("/limited", "dave");
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }

        await redis.StartAgainAsync();

        // Each replica tries Redis again after its cool-down; poll until both limit there.
        await a.WaitUntilSharedAsync();
        await b.WaitUntilSharedAsync();

        var admitted = 0;
        for (var i = 0; i < 2 * RateLimitingTestApp.Permits; i++)
        {
            using var response = await (i % 2 == 0 ? onA : onB).GetAsUserAsync("/limited", "erin");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"got {response.StatusCode}");
            admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.Equal(RateLimitingTestApp.Permits, admitted);
    }

    [Fact]
    public async Task Anonymous_callers_are_limited_by_address_and_signed_in_users_by_sub()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var gateway = await RateLimitingTestApp.StartAsync(redis);
        using var fromLoopback = gateway.CreateClient();
        using var fromOther = gateway.CreateClient(OtherClient);

        for (var i = 0; i < RateLimitingTestApp.Permits; i++)
        {
            using var admitted = await fromLoopback.GetAsync("/limited");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }

        using (var spoofed = new HttpRequestMessage(HttpMethod.Get, "/limited"))
        {
            // The gateway is the edge: a client's own X-Forwarded-For does not get it a fresh bucket.
            spoofed.Headers.Add("X-Forwarded-For", "203.0.113.9");
            using var rejected = await fromLoopback.SendAsync(spoofed);
            Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        }

        using (var otherAddress = await fromOther.GetAsync("/limited"))
        {
            Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
            Assert.Equal("2", Header(otherAddress, RateLimitHeaders.Remaining));
        }

        // Signed in, from the exhausted address: the user's own bucket, the same from any address.
        foreach (var (client, remaining) in new[] { (fromLoopback, "2"), (fromOther, "1"), (fromLoopback, "0") })
        {
            using var admitted = await client.GetAsUserAsync("/limited", "alice");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.Equal(remaining, Header(admitted, RateLimitHeaders.Remaining));
        }

        using (var aliceOver = await fromOther.GetAsUserAsync("/limited", "alice"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, aliceOver.StatusCode);
        }

        using var bob = await fromLoopback.GetAsUserAsync("/limited", "bob");
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
        Assert.Equal("2", Header(bob, RateLimitHeaders.Remaining));
    }

    [Fact]
    public async Task A_yarp_route_naming_the_policy_is_limited()
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        await using var backend = await StartBackendAsync();
        await using var gateway = await RateLimitingTestApp.StartAsync(
            redis,
            configureBuilder: builder => builder.Services.AddReverseProxy().LoadFromMemory(
                [new RouteConfig { RouteId = "proxied", ClusterId = "backend", RateLimiterPolicy = RateLimitingTestApp.Policy, Match = new RouteMatch { Path = "/proxied/{**rest}" } }],
                [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["one"] = new() { Address = backend.Urls.First() } } }]),
            map: app => app.MapReverseProxy());
        using var client = gateway.CreateClient();

        foreach (var remaining in new[] { "2", "1", "0" })
        {
            using var proxied = await client.GetAsync("/proxied/anything");
            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
            Assert.Equal("from the backend", await proxied.Content.ReadAsStringAsync());
            Assert.Equal(remaining, Header(proxied, RateLimitHeaders.Remaining));
        }

        using var rejected = await client.GetAsync("/proxied/anything");
        await AssertTooManyRequestsAsync(rejected, maxRetryAfterSeconds: 1200);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("Disable")]
    public async Task A_policy_named_like_a_yarp_keyword_is_refused_at_start(string name)
    {
        await using var redis = await RateLimitingRedisServer.StartAsync();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => RateLimitingTestApp.StartAsync(redis, new Dictionary<string, string?>
        {
            [$"RateLimiting:Policies:{name}:PermitLimit"] = "10",
            [$"RateLimiting:Policies:{name}:TokensPerPeriod"] = "10",
            [$"RateLimiting:Policies:{name}:ReplenishmentPeriod"] = "00:01:00",
        }));
        Assert.Contains("reserved by YARP", failure.Message, StringComparison.Ordinal);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : throw new Xunit.Sdk.XunitException($"No {name} header.");

    private static async Task AssertTooManyRequestsAsync(HttpResponseMessage response, int maxRetryAfterSeconds)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var retryAfter = response.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("No Retry-After in seconds.");
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(maxRetryAfterSeconds));
        Assert.Equal("3", Header(response, RateLimitHeaders.Limit));
        Assert.Equal("0", Header(response, RateLimitHeaders.Remaining));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("too_many_requests", problem.GetProperty("code").GetString());
    }

    private static async Task<WebApplication> StartBackendAsync()
    {
        var backend = RateLimitingTestApp.CreateBuilder(new Dictionary<string, string?>()).Build();
        backend.MapGet("/proxied/{**rest}", () => "from the backend");
        await backend.StartAsync();
        return backend;
    }
}

internal static class RateLimitingHttpClientExtensions
{
    public static async Task<HttpResponseMessage> GetAsUserAsync(this HttpClient client, string path, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(RateLimitingTestApp.SubHeader, user);
        return await client.SendAsync(request);
    }
}
