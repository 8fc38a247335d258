using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Dedao.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class GatewayEdgeTests(GatewayFixture fixture)
{
    private HttpClient Gateway => fixture.Gateway;

    private static async Task<string?> CodeOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
    }

    [Fact]
    public async Task An_anonymous_route_reaches_its_service_by_discovery_name()
    {
        var echo = await Gateway.GetFromJsonAsync<EchoResponse>("/api/v1/courses?limit=2");

        Assert.Equal("/api/v1/courses", echo!.Path);
    }

    [Fact]
    public async Task A_protected_route_without_a_token_is_401_at_the_edge()
    {
        foreach (var path in new[] { "/api/v1/orders", "/api/v1/coins/wallet", "/api/v1/passport/me", "/api/v1/comments/mine", "/api/v1/courses/1/progress" })
        {
            using var response = await Gateway.GetAsync(path);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("unauthorized", await CodeOf(response));
        }
    }

    [Theory]
    [InlineData("/nowhere", null)]
    [InlineData("/nowhere", "not-a-token")]
    [InlineData("/api/v1/passport/no-such-thing", null)]
    [InlineData("/api/v1/passport/no-such-thing", "not-a-token")]
    [InlineData("/api/v1/orders/no-such-thing", null)]
    [InlineData("/api/v1/orders/1/no-such-thing", null)]
    [InlineData("/api/v1/payments/no-such-thing", null)]
    [InlineData("/api/v1/coins/no-such-thing", "not-a-token")]
    [InlineData("/api/v1/comments/1/no-such-thing", null)]
    public async Task A_path_no_route_owns_is_404_with_or_without_a_token(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", await CodeOf(response));
    }

    [Fact]
    public async Task A_wrong_method_on_a_route_is_405_with_allow_before_any_token_is_asked_for()
    {
        using var response = await Gateway.GetAsync("/api/v1/passport/register");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method_not_allowed", await CodeOf(response));
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_trace_context()
    {
        using var generated = await Gateway.GetAsync("/api/v1/columns");
        using var kept = new HttpRequestMessage(HttpMethod.Get, "/api/v1/columns") { Headers = { { "X-Request-Id", "client-id.42" } } };
        using var keptResponse = await Gateway.SendAsync(kept);
        using var refused = new HttpRequestMessage(HttpMethod.Get, "/api/v1/columns") { Headers = { { "X-Request-Id", "bad id with spaces" } } };
        using var refusedResponse = await Gateway.SendAsync(refused);
        using var denied = await Gateway.GetAsync("/nowhere");

        Assert.Matches("^[0-9a-f]{32}$", generated.Headers.GetValues("X-Request-Id").Single());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", generated.Headers.GetValues("traceparent").Single());
        // A made-up id is the trace's, so the id a client reports finds the trace.
        Assert.Equal(generated.Headers.GetValues("traceparent").Single().Split('-')[1], generated.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-id.42", keptResponse.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-id.42", (await keptResponse.Content.ReadFromJsonAsync<EchoResponse>())!.Header("X-Request-Id"));
        Assert.NotEqual("bad id with spaces", refusedResponse.Headers.GetValues("X-Request-Id").Single());
        // A path no route owns is a 404, token or not, and it has its request id too.
        Assert.True(denied.Headers.Contains("X-Request-Id"));
        Assert.Equal("not_found", await CodeOf(denied));
    }

    [Fact]
    public async Task Identity_headers_from_the_client_never_reach_a_service()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/columns")
        {
            Headers = { { "X-User-Id", "someone-else" }, { "X-Auth-Roles", "admin" }, { "X-Dedao-User", "1" }, { "X-Other", "kept" } },
        };
        using var response = await Gateway.SendAsync(request);
        var echo = await response.Content.ReadFromJsonAsync<EchoResponse>();

        Assert.DoesNotContain(echo!.Headers.Keys, key => key.StartsWith("X-User", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("X-Auth", StringComparison.OrdinalIgnoreCase) || key.StartsWith("X-Dedao", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("kept", echo.Header("X-Other"));
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_is_413()
    {
        // As a client uploading a large body should, it waits for 100-continue, so the refusal arrives before the body.
        using var large = new HttpRequestMessage(HttpMethod.Post, "/api/v1/passport/register")
        {
            Content = new ByteArrayContent(new byte[(1024 * 1024) + 1]),
            Headers = { ExpectContinue = true },
        };
        using var response = await Gateway.SendAsync(large);
        using var small = await Gateway.PostAsync("/api/v1/passport/register", new ByteArrayContent(new byte[1024]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload_too_large", await CodeOf(response));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }

    [Fact]
    public async Task A_deprecated_route_answers_with_deprecation_sunset_and_successor_link()
    {
        using var v1 = await Gateway.GetAsync("/api/v1/columns/7");
        using var v2 = await Gateway.GetAsync("/api/v2/columns/7");

        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal($"@{new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()}", v1.Headers.GetValues("Deprecation").Single());
        Assert.Equal("Wed, 30 Jun 2027 00:00:00 GMT", v1.Headers.GetValues("Sunset").Single());
        Assert.Equal("</api/v2/columns/7>; rel=\"successor-version\"", v1.Headers.GetValues("Link").Single());
        Assert.False(v2.Headers.Contains("Deprecation"));
        Assert.Equal("/api/v2/columns/7", (await v2.Content.ReadFromJsonAsync<EchoResponse>())!.Path);
    }

    [Fact]
    public async Task Limited_routes_carry_their_limit_and_login_is_limited_more_strictly()
    {
        using var read = await Gateway.GetAsync("/api/v1/columns");
        Assert.Equal("100000", read.Headers.GetValues("X-RateLimit-Limit").Single());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            using var login = await Gateway.PostAsJsonAsync("/api/v1/passport/login", new { phone = "13800000000", password = "x" });
            statuses.Add(login.StatusCode);
            if (login.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("too_many_requests", await CodeOf(login));
                Assert.True(login.Headers.RetryAfter is not null);
                Assert.Equal("0", login.Headers.GetValues("X-RateLimit-Remaining").Single());
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 10), statuses.Take(10));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[10]);
    }

    [Fact]
    public async Task The_gateway_publishes_its_routes_as_an_openapi_document()
    {
        var document = await Gateway.GetFromJsonAsync<JsonElement>("/openapi/gateway.json");
        var paths = document.GetProperty("paths");

        var columns = paths.GetProperty("/api/{version}/columns/{rest}").GetProperty("get");
        Assert.False(columns.TryGetProperty("security", out _));
        Assert.Equal("standard", columns.GetProperty("x-rate-limit-policy").GetString());
        Assert.True(paths.GetProperty("/api/{version}/orders/{id}/cancel").GetProperty("post").TryGetProperty("security", out _));
        Assert.Equal("login", paths.GetProperty("/api/{version}/passport/login").GetProperty("post").GetProperty("x-rate-limit-policy").GetString());
        Assert.True(paths.GetProperty("/api/v1/columns/{id}").GetProperty("get").GetProperty("deprecated").GetBoolean());
    }

    [Fact]
    public async Task A_chunked_body_that_grows_past_one_mebibyte_is_413_not_a_backend_failure()
    {
        // No Content-Length to refuse up front: Kestrel cuts the body off while the proxy forwards it.
        using var large = new HttpRequestMessage(HttpMethod.Post, "/api/v1/passport/register")
        {
            Content = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024])),
        };
        large.Headers.TransferEncodingChunked = true;
        using var response = await Gateway.SendAsync(large);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload_too_large", await CodeOf(response));
        Assert.False(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task A_backend_that_is_down_is_503_service_unavailable_at_once()
    {
        var clock = Stopwatch.StartNew();
        using var response = await Gateway.GetAsync("/test/down/anything");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("service_unavailable", await CodeOf(response));
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_backend_that_never_answers_is_503_within_the_activity_timeout()
    {
        using var response = await Gateway.GetAsync("/test/hung/anything");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("service_unavailable", await CodeOf(response));
    }
}
