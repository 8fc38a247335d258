using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class ConfigurationTests(PassportFixture fixture)
{
    [Fact]
    public async Task The_access_token_lifetime_is_configurable()
    {
        await using var passport = await fixture.StartPassportAsync("passport_lifetime", new Dictionary<string, string>
        {
            ["Passport__AccessTokenLifetime"] = "00:05:00",
        });
        using var client = new PassportClient(passport.CreateClient());
        var user = await client.RegisterUserAsync();

        var tokens = await client.LoginTokensAsync(user.Phone, user.Password);

        Assert.Equal(300, tokens.ExpiresIn);
        var payload = Jwt.Payload(tokens.AccessToken);
        Assert.Equal(300, (long)payload["exp"]! - (long)payload["iat"]!);
    }

    [Fact]
    public async Task An_access_token_lifetime_over_15_minutes_stops_the_start()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.StartPassportAsync("passport_lifetime_too_long", new Dictionary<string, string>
        {
            ["Passport__AccessTokenLifetime"] = "00:30:00",
        }));

        Assert.Contains("passport exited", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AccessTokenLifetime", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_redis_logins_work_and_are_throttled_by_this_replica()
    {
        var nobodyListens = $"127.0.0.1:{FreePort.Next()}";
        await using var passport = await PassportProcess.StartAsync(
            fixture.MySql.ConnectionString("passport_no_redis"), nobodyListens, readinessPath: "/alive");
        using var client = new PassportClient(passport.CreateClient());
        var phone = Readers.NewPhone();
        // /alive answers before the database is migrated.
        await Poll.UntilAsync(async () =>
        {
            using var registered = await client.RegisterAsync(new { phone, password = Readers.Password, nickname = "reader" });
            return registered.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict;
        }, TimeSpan.FromSeconds(30), () => "a registration with Redis unreachable");
        var user = new RegisteredUser(Guid.Empty, phone, Readers.Password);

        // A 200 is an answer within the request budget: a login stuck on the unreachable Redis would be its 503.
        using (var response = await client.LoginAsync(user.Phone, user.Password))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            using var failed = await client.LoginAsync(user.Phone, "wrong password");
            await HttpAssert.ProblemAsync(failed, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using var held = await client.LoginAsync(user.Phone, "wrong password");
        await HttpAssert.ProblemAsync(held, HttpStatusCode.TooManyRequests, "too_many_attempts");
    }
}
