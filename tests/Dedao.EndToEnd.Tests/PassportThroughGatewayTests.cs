using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using Client = Dedao.EndToEnd.Tests.PassportThroughGatewayClient;

namespace Dedao.EndToEnd.Tests;

/// <summary>
/// api.md's Passport table, called through the gateway (the real edge) against the platform's MySQL and Redis. Each
/// test is its own client address (<see cref="PassportThroughGatewayClient"/>) and uses fresh phones, so the gateway's
/// per-address limits and passport's lockouts never see two tests as one client.
/// </summary>
[Collection(Platform.Name)]
public sealed class PassportThroughGatewayTests(PlatformFixture platform)
{
    private const string ProtectedRoute = "/api/v1/orders";
    private const string MeRoute = "/api/v1/passport/me";
    private const int FailuresPerPhone = 5;
    private static readonly string[] AsymmetricAlgorithms = ["ES256", "RS256"];

    [Fact]
    public async Task Register_is_201_with_the_user_id_then_409_phone_taken_and_400_names_each_invalid_field()
    {
        using var client = Client.Create(platform);
        var phone = Readers.NewPhone();

        using var created = await client.RegisterAsync(new { phone, password = Client.Password, nickname = "读者" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotEqual(Guid.Empty, (await Client.ReadJsonAsync(created)).GetProperty("userId").GetGuid());
        // A fresh bucket: the gateway sees this test as a client of its own, not as everyone on 127.0.0.1.
        Assert.Equal("5", Assert.Single(created.Headers.GetValues("X-RateLimit-Limit")));
        Assert.Equal("4", Assert.Single(created.Headers.GetValues("X-RateLimit-Remaining")));

        using var taken = await client.RegisterAsync(new { phone, password = "another password", nickname = "别人" });
        await HttpAssert.ProblemAsync(taken, HttpStatusCode.Conflict, "phone_taken");

        using var invalid = await client.RegisterAsync(new { phone = "2345", password = "short", nickname = "" });
        var problem = await HttpAssert.ProblemAsync(invalid, HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "phone", "password", "nickname" })
        {
            Assert.True(errors.TryGetProperty(field, out var messages), $"no error for {field}: {errors}");
            Assert.True(messages.GetArrayLength() > 0, $"an empty error list for {field}");
        }
    }

    [Fact]
    public async Task Login_is_200_with_a_bearer_pair_and_401_invalid_credentials_alike_for_an_unknown_phone_and_a_wrong_password()
    {
        using var client = Client.Create(platform);
        var (userId, phone) = await client.RegisterUserAsync();

        using var success = await client.LoginAsync(phone, Client.Password);
        Assert.Equal(HttpStatusCode.OK, success.StatusCode);
        Assert.Equal("10", Assert.Single(success.Headers.GetValues("X-RateLimit-Limit")));
        var tokens = await Client.ReadJsonAsync(success);
        Assert.Equal("Bearer", tokens.GetProperty("tokenType").GetString());
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refreshToken").GetString()));
        var expiresIn = tokens.GetProperty("expiresIn").GetInt32();
        Assert.InRange(expiresIn, 1, 15 * 60);
        var access = tokens.GetProperty("accessToken").GetString()!;
        var header = Jwt.Header(access);
        var payload = Jwt.Payload(access);
        Assert.Contains(header["alg"]!.GetValue<string>(), AsymmetricAlgorithms);
        Assert.False(string.IsNullOrEmpty(header["kid"]?.GetValue<string>()));
        Assert.Equal(userId.ToString(), payload["sub"]!.GetValue<string>());
        Assert.InRange(payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>(), 1, 15 * 60);
        Assert.False(string.IsNullOrEmpty(payload["jti"]?.ToString()));
        Assert.NotNull(payload["roles"]);

        using var unknownPhone = await client.LoginAsync(Readers.NewPhone(), Client.Password);
        var unknown = await HttpAssert.ProblemAsync(unknownPhone, HttpStatusCode.Unauthorized, "invalid_credentials");
        using var wrongPassword = await client.LoginAsync(phone, "not the password");
        var wrong = await HttpAssert.ProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(unknown.GetProperty("title").GetString(), wrong.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Refresh_gives_a_new_pair_and_the_old_refresh_token_then_is_401()
    {
        using var client = Client.Create(platform);
        var first = await client.SignUpAsync();

        using var refreshed = await client.RefreshAsync(first.RefreshToken);
        var second = await Client.ReadTokensAsync(refreshed);

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        using (var me = await client.MeAsync(second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(first.UserId, (await Client.ReadJsonAsync(me)).GetProperty("userId").GetGuid());
        }

        using var reused = await client.RefreshAsync(first.RefreshToken);
        await HttpAssert.ProblemAsync(reused, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Presenting_a_rotated_refresh_token_again_revokes_the_family_including_its_newest_token()
    {
        using var client = Client.Create(platform);
        var first = await client.SignUpAsync();
        using var refreshed = await client.RefreshAsync(first.RefreshToken);
        var second = await Client.ReadTokensAsync(refreshed);

        using var reused = await client.RefreshAsync(first.RefreshToken);
        await HttpAssert.ProblemAsync(reused, HttpStatusCode.Unauthorized, "invalid_refresh_token");

        // The newest token was never presented before, yet it is dead: it belongs to the family a thief replayed.
        using var newest = await client.RefreshAsync(second.RefreshToken);
        await HttpAssert.ProblemAsync(newest, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Logout_is_204_and_the_refresh_token_then_is_401()
    {
        using var client = Client.Create(platform);
        var user = await client.SignUpAsync();

        using var logout = await client.LogoutAsync(user.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        using var refresh = await client.RefreshAsync(user.RefreshToken);
        await HttpAssert.ProblemAsync(refresh, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Logout_without_a_token_is_401()
    {
        using var client = Client.Create(platform);

        using var logout = await client.LogoutAsync(accessToken: null);

        await HttpAssert.ProblemAsync(logout, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Me_is_200_with_the_masked_phone_and_401_without_a_token()
    {
        using var client = Client.Create(platform);
        var user = await client.SignUpAsync();

        using var me = await client.MeAsync(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = await Client.ReadJsonAsync(me);
        Assert.Equal(user.UserId, body.GetProperty("userId").GetGuid());
        Assert.Equal("读者", body.GetProperty("nickname").GetString());
        Assert.Equal($"{user.Phone[..3]}****{user.Phone[^4..]}", body.GetProperty("phone").GetString());
        Assert.DoesNotContain(user.Phone, body.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("user", body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        using var anonymous = await client.MeAsync(accessToken: null);
        await HttpAssert.ProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Jwks_is_200_with_keys_that_have_a_kid_including_the_one_that_signed_a_real_token()
    {
        using var client = Client.Create(platform);
        var user = await client.SignUpAsync();

        using var response = await client.GetAsync("/api/v1/passport/.well-known/jwks.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var keys = (await Client.ReadJsonAsync(response)).GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            Assert.False(string.IsNullOrEmpty(key.GetProperty("kid").GetString()), $"a key without a kid: {key}");
            Assert.False(string.IsNullOrEmpty(key.GetProperty("kty").GetString()), $"a key without a kty: {key}");
            Assert.False(key.TryGetProperty("d", out _), "the JWKS publishes a private key");
        }

        var kid = Jwt.Header(user.AccessToken)["kid"]!.GetValue<string>();
        Assert.Contains(keys, k => k.GetProperty("kid").GetString() == kid);
    }

    [Fact]
    public async Task Repeated_failed_logins_for_one_phone_make_that_address_wait_with_429_and_retry_after_but_not_the_owner()
    {
        using var client = Client.Create(platform);
        var (_, phone) = await client.RegisterUserAsync();
        for (var i = 0; i < FailuresPerPhone; i++)
        {
            using var failed = await client.LoginAsync(phone, "wrong password");
            await HttpAssert.ProblemAsync(failed, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        // Passport's throttle (too_many_attempts), not the gateway's rate limit (too_many_requests): a short wait, no lockout.
        using var held = await client.LoginAsync(phone, "wrong password");
        await HttpAssert.ProblemAsync(held, HttpStatusCode.TooManyRequests, "too_many_attempts");
        var retryAfter = held.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        // The right password from an address that has not been failing is not held up.
        using var elsewhere = Client.Create(platform);
        using var owner = await elsewhere.LoginAsync(phone, Client.Password);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task The_real_token_and_a_hand_made_copy_signed_with_passport_s_stored_key_are_200_at_the_gateway()
    {
        var arranged = await ArrangeForgeryAsync();
        using var client = arranged.Client;
        using var key = arranged.RealKey;
        var payload = Jwt.Payload(arranged.RealToken);
        payload["jti"] = Guid.NewGuid().ToString("N");
        var handMade = Jwt.Sign(Jwt.Es256Header(arranged.Kid), payload, key);

        foreach (var token in new[] { arranged.RealToken, handMade })
        {
            using var orders = await client.GetAsync(ProtectedRoute, token);
            Assert.True(orders.StatusCode == HttpStatusCode.OK, $"{ProtectedRoute}: {(int)orders.StatusCode} {await orders.Content.ReadAsStringAsync()}");
            using var me = await client.GetAsync(MeRoute, token);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(arranged.UserId, (await Client.ReadJsonAsync(me)).GetProperty("userId").GetGuid());
        }
    }

    /// <summary>
    /// Each forgery is the victim's real token changed in one way. "Real key" forgeries are signed with passport's own
    /// key read from its database, so the one change is the only thing wrong with them (the control above shows the
    /// same hand-made token is accepted unchanged); "fresh key" forgeries are signed with a key made here.
    /// </summary>
    [Theory]
    [InlineData("alg none")]
    [InlineData("signature stripped")]
    [InlineData("HS256 with the public key (DER) as secret")]
    [InlineData("HS256 with the public key (PEM) as secret")]
    [InlineData("tampered sub, real signature")]
    [InlineData("tampered exp, real signature")]
    [InlineData("expired, real key")]
    [InlineData("wrong issuer, real key")]
    [InlineData("wrong audience, real key")]
    [InlineData("wrong issuer, fresh key with the real kid")]
    [InlineData("wrong audience, fresh key with the real kid")]
    [InlineData("fresh key with the real kid")]
    [InlineData("fresh key with an unknown kid")]
    [InlineData("garbage")]
    public async Task A_forged_token_is_401_at_the_gateway_on_a_protected_route_and_on_me(string forgery)
    {
        var arranged = await ArrangeForgeryAsync();
        using var client = arranged.Client;
        using var key = arranged.RealKey;
        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = await ForgeAsync(forgery, arranged, fresh);

        foreach (var route in new[] { ProtectedRoute, MeRoute })
        {
            using var response = await client.GetAsync(route, token);
            await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    private static async Task<string> ForgeAsync(string forgery, Forgery arranged, ECDsa fresh)
    {
        var real = arranged.RealToken;
        var payload = Jwt.Payload(real);
        var now = DateTimeOffset.UtcNow;
        switch (forgery)
        {
            case "alg none":
                return Jwt.WithAlgNone(payload);
            case "signature stripped":
                return real[..(real.LastIndexOf('.') + 1)];
            case "HS256 with the public key (DER) as secret":
            case "HS256 with the public key (PEM) as secret":
                using (var publicKey = await PublishedKeyAsync(arranged.Client, arranged.Kid))
                {
                    var header = new JsonObject { ["alg"] = "HS256", ["kid"] = arranged.Kid, ["typ"] = "JWT" };
                    var secret = forgery.Contains("DER", StringComparison.Ordinal)
                        ? publicKey.ExportSubjectPublicKeyInfo()
                        : Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem());
                    return Jwt.WithHmac(header, payload, secret);
                }

            case "tampered sub, real signature":
                // Another real reader, so a gateway that skipped the signature would serve their data with 200.
                payload["sub"] = arranged.OtherUserId.ToString();
                return Jwt.WithPayload(real, payload);
            case "tampered exp, real signature":
                payload["exp"] = now.AddDays(30).ToUnixTimeSeconds();
                return Jwt.WithPayload(real, payload);
            case "expired, real key":
                payload["iat"] = now.AddMinutes(-20).ToUnixTimeSeconds();
                payload["nbf"] = now.AddMinutes(-20).ToUnixTimeSeconds();
                payload["exp"] = now.AddMinutes(-10).ToUnixTimeSeconds();
                return Jwt.Sign(Jwt.Es256Header(arranged.Kid), payload, arranged.RealKey);
            case "wrong issuer, real key":
                payload["iss"] = "evil-passport";
                return Jwt.Sign(Jwt.Es256Header(arranged.Kid), payload, arranged.RealKey);
            case "wrong audience, real key":
                payload["aud"] = "someone-else";
                return Jwt.Sign(Jwt.Es256Header(arranged.Kid), payload, arranged.RealKey);
            case "wrong issuer, fresh key with the real kid":
                payload["iss"] = "evil-passport";
                return Jwt.Sign(Jwt.Es256Header(arranged.Kid), payload, fresh);
            case "wrong audience, fresh key with the real kid":
                payload["aud"] = "someone-else";
                return Jwt.Sign(Jwt.Es256Header(arranged.Kid), payload, fresh);
            case "fresh key with the real kid":
                return Jwt.Sign(Jwt.Es256Header(arranged.Kid), payload, fresh);
            case "fresh key with an unknown kid":
                return Jwt.Sign(Jwt.Es256Header(Guid.NewGuid().ToString("N")), payload, fresh);
            case "garbage":
                return Convert.ToBase64String(Encoding.UTF8.GetBytes("not a jwt at all"));
            default:
                throw new ArgumentOutOfRangeException(nameof(forgery), forgery, "no such forgery");
        }
    }

    /// <summary>The public key with this kid, as anyone can read it from the JWKS through the gateway.</summary>
    private static async Task<ECDsa> PublishedKeyAsync(Client client, string kid)
    {
        using var response = await client.GetAsync("/api/v1/passport/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jwk = (await Client.ReadJsonAsync(response)).GetProperty("keys").EnumerateArray()
            .Single(k => k.GetProperty("kid").GetString() == kid);
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = System.Buffers.Text.Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()),
                Y = System.Buffers.Text.Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()),
            },
        });
    }

    /// <summary>A client of its own, a logged-in victim, another reader, and the key that signed the victim's token.</summary>
    private async Task<Forgery> ArrangeForgeryAsync()
    {
        var client = Client.Create(platform);
        try
        {
            var victim = await client.SignUpAsync();
            var (otherUserId, _) = await client.RegisterUserAsync();
            var kid = Jwt.Header(victim.AccessToken)["kid"]!.GetValue<string>();
            var (_, key) = await PassportSigningKeys.ReadAsync(await platform.App.GetConnectionStringAsync("passportdb") ?? "", kid);
            return new Forgery(client, victim.UserId, victim.AccessToken, otherUserId, kid, key);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private sealed record Forgery(Client Client, Guid UserId, string RealToken, Guid OtherUserId, string Kid, ECDsa RealKey);
}
