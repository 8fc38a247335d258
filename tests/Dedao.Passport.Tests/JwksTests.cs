using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class JwksTests(PassportFixture fixture)
{
    [Fact]
    public async Task The_jwks_has_the_public_key_named_by_the_token_s_kid_and_it_verifies_the_token()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var token = (await client.LoginTokensAsync(user.Phone, user.Password)).AccessToken;

        using var response = await client.GetAsync("/api/v1/passport/.well-known/jwks.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jwks = await PassportClient.ReadJsonAsync(response);
        var kid = (string?)Jwt.Header(token)["kid"];
        var jwk = Assert.Single(jwks.GetProperty("keys").EnumerateArray(), k => k.GetProperty("kid").GetString() == kid);
        Assert.Equal("EC", jwk.GetProperty("kty").GetString());
        Assert.Equal("P-256", jwk.GetProperty("crv").GetString());
        Assert.False(jwk.TryGetProperty("d", out _), "the JWKS must not carry the private key");

        using var publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()),
                Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()),
            },
        });
        var parts = token.Split('.');
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task The_openid_configuration_names_the_issuer_and_the_jwks()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync("/api/v1/passport/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var configuration = await PassportClient.ReadJsonAsync(response);
        Assert.Equal(PassportFixture.Issuer, configuration.GetProperty("issuer").GetString());
        var jwksUri = new Uri(configuration.GetProperty("jwks_uri").GetString()!);
        Assert.Equal("/api/v1/passport/.well-known/jwks.json", jwksUri.AbsolutePath);
        using var jwks = await client.Http.GetAsync(jwksUri);
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
    }

    [Fact]
    public async Task Discovery_and_openapi_name_the_address_the_gateway_says_the_client_used()
    {
        using var client = fixture.CreateClient();
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-Host", "api.dedao.example");
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        using var discovery = await client.GetAsync("/api/v1/passport/.well-known/openid-configuration");
        using var openApi = await client.GetAsync("/api/v1/passport/openapi/v1.json");

        var configuration = await PassportClient.ReadJsonAsync(discovery);
        Assert.Equal("https://api.dedao.example/api/v1/passport/.well-known/jwks.json", configuration.GetProperty("jwks_uri").GetString());
        var servers = (await PassportClient.ReadJsonAsync(openApi)).GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString());
        Assert.Equal(["https://api.dedao.example/"], servers.Select(url => url!.TrimEnd('/') + "/"));
    }
}
