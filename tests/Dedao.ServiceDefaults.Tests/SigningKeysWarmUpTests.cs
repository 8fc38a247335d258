using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>
/// The signing-keys warm-up, run as a service runs it: against the service's own JwtBearer options and a stand-in passport
/// that serves a discovery document and its keys, as passport does.
/// </summary>
public sealed class SigningKeysWarmUpTests : IAsyncLifetime
{
    private const string WellKnown = "/api/v1/passport/.well-known";
    private const string KeyId = "stand-in-1";

    private readonly ECDsa _passportKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private WebApplication _passport = null!;
    private int _documentsServed;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _passport = builder.Build();
        _passport.MapGet(WellKnown + "/openid-configuration", () =>
        {
            Interlocked.Increment(ref _documentsServed);
            return Results.Json(new Dictionary<string, string> { ["issuer"] = Issuer, ["jwks_uri"] = Issuer + WellKnown + "/jwks.json" });
        });
        _passport.MapGet(WellKnown + "/jwks.json", () =>
        {
            Interlocked.Increment(ref _documentsServed);
            var point = _passportKey.ExportParameters(includePrivateParameters: false).Q;
            return Results.Json(new { keys = new[] { new Dictionary<string, string>
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = KeyId,
                ["x"] = Base64UrlEncoder.Encode(point.X), ["y"] = Base64UrlEncoder.Encode(point.Y),
            } } });
        });
        await _passport.StartAsync();
    }

    private string Issuer => _passport.Urls.Single();

    [Fact]
    public async Task The_warm_up_fetches_passport_s_keys_for_the_first_request_and_checks_its_token_with_the_service_s_own_parameters()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["Authentication:Authority"] = Issuer;
        builder.AddDefaultAuthentication();
        await using var service = builder.Build();
        service.MapGet("/me", (HttpContext http) => http.User.Identity?.Name);

        // Any exception is the warm-up failing, which the service would only log.
        var warmUp = Assert.Single(service.Services.GetServices<IWarmUp>());
        await warmUp.WarmUpAsync(CancellationToken.None);
        Assert.Equal(2, _documentsServed);

        await service.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(service.Urls.Single()) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        // A passport user's id: a route that answers for a user takes no other subject.
        var reader = Guid.NewGuid().ToString();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SignAsPassport(reader));
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(reader, await response.Content.ReadAsStringAsync());
        Assert.Equal(2, _documentsServed);
        await service.StopAsync();
    }

    private string SignAsPassport(string subject) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = "dedao",
        Expires = DateTime.UtcNow.AddMinutes(5),
        Claims = new Dictionary<string, object> { ["sub"] = subject, ["roles"] = "user" },
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_passportKey) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
    });

    public async Task DisposeAsync()
    {
        await _passport.DisposeAsync();
        _passportKey.Dispose();
    }
}
