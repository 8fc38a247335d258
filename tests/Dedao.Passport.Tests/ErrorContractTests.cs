using System.Net.Http.Headers;
using System.Net;
using System.Text;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

/// <summary>
/// Issue 7, findings 1 and 6, at passport itself, run as Development like the AppHost runs it: bad input is a
/// problem+json with a stable code and nothing of the exception or the request; routing's own answers come first.
/// </summary>
[Collection(PassportCollection.Name)]
public sealed class ErrorContractTests(PassportFixture fixture)
{
    private const string Login = "/api/v1/passport/login";

    [Theory]
    [InlineData("{")]
    [InlineData("nul")]
    [InlineData("[]")]
    [InlineData("123")]
    [InlineData("{\"phone\":123}")]
    [InlineData("")]
    public async Task A_body_that_is_not_the_expected_json_is_400_invalid_body_without_internals(string body)
    {
        using var client = fixture.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await SendAsync(client, content);

        await AssertCleanProblemAsync(response, HttpStatusCode.BadRequest, "invalid_body");
    }

    [Fact]
    public async Task Invalid_utf8_is_400_invalid_body()
    {
        using var client = fixture.CreateClient();
        using var content = new ByteArrayContent([.. "{\"phone\":\""u8, 0xFF, 0xFE, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await SendAsync(client, content);

        await AssertCleanProblemAsync(response, HttpStatusCode.BadRequest, "invalid_body");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_json_is_415_unsupported_media_type(string? contentType)
    {
        using var client = fixture.CreateClient();
        using var content = new ByteArrayContent("{\"phone\":\"13800000000\",\"password\":\"x\"}"u8.ToArray());
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        using var response = await SendAsync(client, content);

        await AssertCleanProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Get_on_register_is_405_even_with_a_bad_token()
    {
        using var client = fixture.CreateClient();
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "X");

        using var response = await client.GetAsync("/api/v1/passport/register");

        await AssertCleanProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("X")]
    public async Task An_unknown_path_is_404_with_or_without_a_token(string? token)
    {
        using var client = fixture.CreateClient();
        if (token is not null)
        {
            client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.GetAsync("/api/v1/passport/no-such-thing");

        await AssertCleanProblemAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>The request carries secrets and asks for HTML; the answer is problem+json and repeats none of it.</summary>
    private static async Task<HttpResponseMessage> SendAsync(PassportClient client, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Login) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "X");
        request.Headers.Add("Cookie", "s=SECRET");
        request.Headers.Accept.ParseAdd("text/html");
        return await client.Http.SendAsync(request);
    }

    private static async Task AssertCleanProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        await HttpAssert.ProblemAsync(response, status, code);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var leak in new[] { "Exception", " at ", "SECRET", "Bearer", "Cookie", "127.0.0.1", "localhost", "Microsoft." })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }
    }
}
