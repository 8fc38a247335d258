using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

/// <summary>
/// Each forgery differs from a token passport would accept in one way only; the first test shows that
/// the hand-made token is accepted when nothing is wrong with it, so each 401 is for the stated reason.
/// </summary>
[Collection(PassportCollection.Name)]
public sealed class ForgedTokenTests(PassportFixture fixture)
{
    [Fact]
    public async Task A_token_made_by_hand_with_the_real_key_is_accepted()
    {
        var (client, user, kid, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            using var response = await client.MeAsync(Jwt.Sign(Jwt.Es256Header(kid), PassportClaims.For(user.UserId), key));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_token_with_the_issuer_of_before_the_issuer_was_a_url_is_still_accepted()
    {
        var (client, user, kid, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            using var response = await client.MeAsync(Jwt.Sign(Jwt.Es256Header(kid), PassportClaims.For(user.UserId, issuer: "dedao-passport"), key));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Alg_none_is_rejected()
    {
        var (client, user, _, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            await AssertRejectedAsync(client, Jwt.WithAlgNone(PassportClaims.For(user.UserId)));
        }
    }

    [Fact]
    public async Task A_tampered_payload_is_rejected()
    {
        var (client, user, _, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            var genuine = (await client.LoginTokensAsync(user.Phone, user.Password)).AccessToken;
            var payload = Jwt.Payload(genuine);
            payload["roles"] = new JsonArray("user", "admin");

            await AssertRejectedAsync(client, Jwt.WithPayload(genuine, payload));
        }
    }

    [Fact]
    public async Task An_expired_token_is_rejected()
    {
        var (client, user, kid, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            var claims = PassportClaims.For(user.UserId, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-20), lifetime: TimeSpan.FromMinutes(10));

            await AssertRejectedAsync(client, Jwt.Sign(Jwt.Es256Header(kid), claims, key));
        }
    }

    [Fact]
    public async Task A_wrong_issuer_is_rejected()
    {
        var (client, user, kid, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            await AssertRejectedAsync(client, Jwt.Sign(Jwt.Es256Header(kid), PassportClaims.For(user.UserId, issuer: "evil-passport"), key));
        }
    }

    [Fact]
    public async Task A_wrong_audience_is_rejected()
    {
        var (client, user, kid, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            await AssertRejectedAsync(client, Jwt.Sign(Jwt.Es256Header(kid), PassportClaims.For(user.UserId, audience: "someone-else"), key));
        }
    }

    [Fact]
    public async Task A_foreign_key_claiming_the_real_kid_is_rejected()
    {
        var (client, user, kid, key) = await ArrangeAsync();
        using (client)
        using (key)
        using (var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await AssertRejectedAsync(client, Jwt.Sign(Jwt.Es256Header(kid), PassportClaims.For(user.UserId), foreign));
        }
    }

    [Fact]
    public async Task Hs256_signed_with_the_public_key_is_rejected()
    {
        var (client, user, kid, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            var publicKey = key.ExportSubjectPublicKeyInfo();
            var header = new JsonObject { ["alg"] = "HS256", ["kid"] = kid, ["typ"] = "JWT" };

            await AssertRejectedAsync(client, Jwt.WithHmac(header, PassportClaims.For(user.UserId), publicKey));
        }
    }

    [Fact]
    public async Task Garbage_is_rejected()
    {
        var (client, _, _, key) = await ArrangeAsync();
        using (client)
        using (key)
        {
            await AssertRejectedAsync(client, Convert.ToBase64String(Encoding.UTF8.GetBytes("not a jwt at all")));
        }
    }

    private async Task<(PassportClient Client, RegisteredUser User, string Kid, ECDsa Key)> ArrangeAsync()
    {
        var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var (kid, key) = await PassportSigningKeys.ReadAsync(fixture.MySql.ConnectionString(PassportFixture.Database));
        return (client, user, kid, key);
    }

    private static async Task AssertRejectedAsync(PassportClient client, string token)
    {
        using var response = await client.MeAsync(token);
        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }
}
