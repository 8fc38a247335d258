using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

/// <summary>Passport's tokens as another service sees them through ServiceDefaults' AddDefaultAuthentication.</summary>
[Collection(PassportCollection.Name)]
public sealed class ServiceValidationTests(PassportFixture fixture)
{
    [Fact]
    public async Task Another_service_finds_passport_by_service_discovery_and_accepts_its_tokens()
    {
        await using var service = await ResourceServer.StartAsync(new Dictionary<string, string?>
        {
            ["services:passport:http:0"] = fixture.Passport.BaseAddress.ToString(),
        });
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var token = (await client.LoginTokensAsync(user.Phone, user.Password)).AccessToken;

        using var response = await service.GetAsync("/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var who = await PassportClient.ReadJsonAsync(response);
        Assert.Equal(user.UserId.ToString(), who.GetProperty("sub").GetString());
        Assert.Equal(user.UserId.ToString(), who.GetProperty("name").GetString());
        Assert.False(who.GetProperty("admin").GetBoolean());
    }

    [Fact]
    public async Task The_roles_claim_makes_the_admin_an_admin()
    {
        await using var service = await ResourceServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = fixture.Passport.BaseAddress.ToString(),
        });
        using var client = fixture.CreateClient();
        var token = (await client.LoginTokensAsync(PassportFixture.AdminPhone, PassportFixture.AdminPassword)).AccessToken;

        using var response = await service.GetAsync("/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await PassportClient.ReadJsonAsync(response)).GetProperty("admin").GetBoolean());
    }

    [Fact]
    public async Task Another_service_answers_401_problem_without_a_token_or_with_a_forged_one()
    {
        await using var service = await ResourceServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = fixture.Passport.BaseAddress.ToString(),
        });
        var (kid, key) = await PassportSigningKeys.ReadAsync(fixture.MySql.ConnectionString(PassportFixture.Database));
        key.Dispose();
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Jwt.Sign(Jwt.Es256Header(kid), PassportClaims.For(Guid.NewGuid()), foreign);

        using var anonymous = await service.GetAsync("/whoami", null);
        using var rejected = await service.GetAsync("/whoami", forged);
        using var open = await service.GetAsync("/open", null);

        await HttpAssert.ProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
        await HttpAssert.ProblemAsync(rejected, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task When_passport_cannot_be_reached_a_protected_route_is_a_quick_503()
    {
        await using var service = await ResourceServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Jwt.Sign(Jwt.Es256Header("some-kid"), PassportClaims.For(Guid.NewGuid()), foreign);

        var clock = Stopwatch.StartNew();
        using var response = await service.GetAsync("/whoami", token);
        clock.Stop();

        await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        using var open = await service.GetAsync("/open", null);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task A_token_with_a_newly_rotated_kid_makes_the_service_fetch_the_keys_again()
    {
        const string database = "passport_kid_refresh";
        var port = FreePort.Next();
        await using var service = await ResourceServer.StartAsync(new Dictionary<string, string?>
        {
            ["services:passport:http:0"] = $"http://127.0.0.1:{port}",
        });

        string oldToken;
        await using (var first = await fixture.StartPassportAsync(database, port: port))
        {
            using var client = new PassportClient(first.CreateClient());
            var user = await client.RegisterUserAsync();
            oldToken = (await client.LoginTokensAsync(user.Phone, user.Password)).AccessToken;
            using var known = await service.GetAsync("/whoami", oldToken);
            Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        }

        await fixture.MySql.ExecuteAsync(database, "UPDATE signing_keys SET CreatedAt = CreatedAt - INTERVAL 31 DAY");
        await using var second = await fixture.StartPassportAsync(database, port: port);
        using var again = new PassportClient(second.CreateClient());
        var newUser = await again.RegisterUserAsync();
        var newToken = (await again.LoginTokensAsync(newUser.Phone, newUser.Password)).AccessToken;
        Assert.NotEqual(Jwt.Header(oldToken)["kid"]!.ToString(), Jwt.Header(newToken)["kid"]!.ToString());

        // JwtBearer refetches the keys in the background, so the first request with the new kid may still
        // be refused; what matters is that the service catches up by itself, quickly, and keeps the old key.
        await Poll.UntilAsync(
            async () =>
            {
                using var rotated = await service.GetAsync("/whoami", newToken);
                return rotated.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(10),
            () => "the service accepting a token signed with the rotated key");
        using var previous = await service.GetAsync("/whoami", oldToken);
        Assert.Equal(HttpStatusCode.OK, previous.StatusCode);
    }
}
