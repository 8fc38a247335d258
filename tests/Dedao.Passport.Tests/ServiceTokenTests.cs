using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Dedao.Passport.Tests;

/// <summary>
/// A service's own token (OAuth 2.0 client credentials at <c>/internal/connect/token</c>), and how another service takes
/// it: on a route only services call, and never on a route that answers for a user.
/// </summary>
[Collection(PassportCollection.Name)]
public sealed class ServiceTokenTests(PassportFixture fixture)
{
    private const string Client = PassportFixture.ServiceClientId;
    private const string Secret = PassportFixture.ServiceClientSecret;

    [Fact]
    public async Task A_service_gets_a_token_naming_itself_by_HTTP_Basic_or_by_form_and_no_cache_may_keep_it()
    {
        using var passport = fixture.Passport.CreateClient();
        using var posted = await ServiceCredentials.RequestAsync(passport, Client, Secret);
        using var basic = new HttpRequestMessage(HttpMethod.Post, ServiceCredentials.TokenPath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        // RFC 6749 §2.3.1: each part form-encoded, then joined and Base64-encoded; the secret has spaces and an apostrophe.
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WebUtility.UrlEncode(Client)}:{WebUtility.UrlEncode(Secret)}")));
        using var byHeader = await passport.SendAsync(basic);

        foreach (var response in new[] { posted, byHeader })
        {
            var body = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
            Assert.Equal(600, body.GetProperty("expires_in").GetInt32());
            var claims = Jwt.Payload(body.GetProperty("access_token").GetString()!);
            Assert.Equal(Client, claims["sub"]!.ToString());
            Assert.Equal(Client, claims["client_id"]!.ToString());
            Assert.Null(claims["roles"]);
            Assert.Equal(PassportFixture.Issuer, claims["iss"]!.ToString());
        }
    }

    [Fact]
    public async Task A_wrong_secret_an_unknown_client_another_grant_or_a_malformed_request_gets_no_token()
    {
        using var passport = fixture.Passport.CreateClient();

        using var wrongSecret = await ServiceCredentials.RequestAsync(passport, Client, Secret + "x");
        using var unknown = await ServiceCredentials.RequestAsync(passport, "order", Secret);
        using var password = await passport.PostAsync(new Uri(ServiceCredentials.TokenPath, UriKind.Relative), new FormUrlEncodedContent(
            new Dictionary<string, string> { ["grant_type"] = "password", ["client_id"] = Client, ["client_secret"] = Secret }));
        using var json = await passport.PostAsJsonAsync(ServiceCredentials.TokenPath,
            new { grant_type = "client_credentials", client_id = Client, client_secret = Secret });
        using var noSecret = await passport.PostAsync(new Uri(ServiceCredentials.TokenPath, UriKind.Relative), new FormUrlEncodedContent(
            new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = Client }));

        foreach (var refused in new[] { wrongSecret, unknown })
        {
            var problem = await HttpAssert.ProblemAsync(refused, HttpStatusCode.Unauthorized, "invalid_client");
            Assert.Equal("invalid_client", problem.GetProperty("error").GetString());
            Assert.Contains(refused.Headers.WwwAuthenticate, challenge => challenge.Scheme == "Basic");
        }

        Assert.Equal("unsupported_grant_type",
            (await HttpAssert.ProblemAsync(password, HttpStatusCode.BadRequest, "unsupported_grant_type")).GetProperty("error").GetString());
        await HttpAssert.ProblemAsync(json, HttpStatusCode.BadRequest, "invalid_request");
        await HttpAssert.ProblemAsync(noSecret, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task The_token_endpoint_is_not_in_the_public_contract()
    {
        using var passport = fixture.Passport.CreateClient();

        var paths = (await HttpAssert.JsonAsync(await passport.GetAsync(new Uri("/api/v1/passport/openapi/v1.json", UriKind.Relative)),
            HttpStatusCode.OK)).GetProperty("paths");

        Assert.True(paths.TryGetProperty("/api/v1/passport/login", out _));
        Assert.False(paths.TryGetProperty(ServiceCredentials.TokenPath, out _));
    }

    [Fact]
    public async Task Another_service_takes_a_service_token_only_where_services_call_and_a_readers_token_only_where_readers_do()
    {
        await using var service = await StartServiceAsync();
        using var passport = fixture.Passport.CreateClient();
        var serviceToken = await ServiceCredentials.TokenAsync(passport, Client, Secret);
        using var readers = fixture.CreateClient();
        var reader = await readers.RegisterUserAsync();
        var readerToken = (await readers.LoginTokensAsync(reader.Phone, reader.Password)).AccessToken;

        using var serviceOnServiceRoute = await service.GetAsync("/internal/whoami", serviceToken);
        using var serviceOnReaderRoute = await service.GetAsync("/whoami", serviceToken);
        using var readerOnServiceRoute = await service.GetAsync("/internal/whoami", readerToken);
        using var anonymousOnServiceRoute = await service.GetAsync("/internal/whoami", null);

        Assert.Equal(Client, (await HttpAssert.JsonAsync(serviceOnServiceRoute, HttpStatusCode.OK)).GetProperty("sub").GetString());
        await HttpAssert.ProblemAsync(serviceOnReaderRoute, HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.ProblemAsync(readerOnServiceRoute, HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.ProblemAsync(anonymousOnServiceRoute, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_token_forged_with_a_client_id_is_refused_and_a_client_id_never_makes_a_token_a_readers()
    {
        await using var service = await StartServiceAsync();
        var (kid, key) = await PassportSigningKeys.ReadAsync(fixture.MySql.ConnectionString(PassportFixture.Database));
        using (key)
        {
            using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var claims = PassportClaims.For(Guid.NewGuid());
            claims["client_id"] = Client;
            // Signed with passport's own key, as only passport could: a user-shaped sub beside a client_id is still no user.
            using var genuine = await service.GetAsync("/whoami", Jwt.Sign(Jwt.Es256Header(kid), claims, key));
            using var forged = await service.GetAsync("/internal/whoami", Jwt.Sign(Jwt.Es256Header(kid), claims, foreign));

            await HttpAssert.ProblemAsync(genuine, HttpStatusCode.Forbidden, "forbidden");
            await HttpAssert.ProblemAsync(forged, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Fact]
    public async Task A_services_http_client_carries_its_own_token_reuses_it_and_renews_it_before_it_expires()
    {
        await using var callee = await StartServiceAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var caller = CallerServices(time, Secret);
        using var http = caller.GetRequiredService<IHttpClientFactory>().CreateClient("callee");

        var first = await WhoAmIAsync(http, callee);
        time.Advance(TimeSpan.FromMinutes(7));
        var reused = await WhoAmIAsync(http, callee);
        // Past four fifths of the token's ten minutes.
        time.Advance(TimeSpan.FromMinutes(1.5));
        var renewed = await WhoAmIAsync(http, callee);

        Assert.Equal(Client, first.Sub);
        Assert.Equal(first.Jti, reused.Jti);
        Assert.NotEqual(first.Jti, renewed.Jti);
    }

    [Fact]
    public async Task A_service_with_a_wrong_secret_fails_its_call_as_an_unreachable_service_would()
    {
        await using var callee = await StartServiceAsync();
        await using var caller = CallerServices(TimeProvider.System, "not the secret");
        using var http = caller.GetRequiredService<IHttpClientFactory>().CreateClient("callee");

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(callee.Client.BaseAddress!, "/internal/whoami")));
        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
    }

    /// <summary>Another service, checking tokens against the shared passport.</summary>
    private Task<ResourceServer> StartServiceAsync() => ResourceServer.StartAsync(new Dictionary<string, string?>
    {
        ["Authentication:Authority"] = fixture.Passport.BaseAddress.ToString(),
    });

    /// <summary>What a service's container holds for a client made with <c>AddServiceIdentity</c>, and nothing else.</summary>
    private ServiceProvider CallerServices(TimeProvider time, string secret)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = fixture.Passport.BaseAddress.ToString(),
            ["ServiceIdentity:ClientId"] = Client,
            ["ServiceIdentity:ClientSecret"] = secret,
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(time)
            .AddLogging();
        services.AddHttpClient("callee").AddServiceIdentity();
        return services.BuildServiceProvider();
    }

    private static async Task<(string Sub, string Jti)> WhoAmIAsync(HttpClient http, ResourceServer callee)
    {
        using var response = await http.GetAsync(new Uri(callee.Client.BaseAddress!, "/internal/whoami"));
        var body = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        return (body.GetProperty("sub").GetString()!, body.GetProperty("jti").GetString()!);
    }
}
