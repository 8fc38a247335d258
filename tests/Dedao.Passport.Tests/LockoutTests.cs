using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;
using StackExchange.Redis;

namespace Dedao.Passport.Tests;

/// <summary>
/// The login throttle (OWASP, no lockout): per phone and address five free failures, then growing waits; per address
/// a limit over all phones; an address that never failed for a phone is never held up, whatever others did.
/// </summary>
[Collection(PassportCollection.Name)]
public sealed class LockoutTests(PassportFixture fixture)
{
    private const int FreeFailures = 5;
    private const int AddressLimit = 20;
    private const int PhoneUnderAttack = 20;
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Strangers_failing_from_many_addresses_never_keep_the_owner_out()
    {
        using var owner = fixture.CreateClient();
        var user = await owner.RegisterUserAsync();
        for (var stranger = 0; stranger < PhoneUnderAttack / FreeFailures + 1; stranger++)
        {
            using var client = fixture.CreateClient();
            for (var i = 0; i < FreeFailures; i++)
            {
                // The last stranger comes when the phone is under attack: after its first failure it is held.
                using var failed = await client.LoginAsync(user.Phone, "wrong password");
                Assert.Contains(failed.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests });
            }
        }

        using var login = await owner.LoginAsync(user.Phone, user.Password);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task An_address_failing_for_a_phone_waits_after_five_failures_and_twice_as_long_after_each_further_one()
    {
        using var owner = fixture.CreateClient();
        var user = await owner.RegisterUserAsync();
        using var guesser = fixture.CreateClient();
        await FailAsync(guesser, user.Phone, FreeFailures);

        using (var held = await guesser.LoginAsync(user.Phone, "wrong password"))
        {
            await HttpAssert.ProblemAsync(held, HttpStatusCode.TooManyRequests, "too_many_attempts");
            Assert.Equal(FirstDelay, held.Headers.RetryAfter?.Delta);
        }

        // Held attempts are not failures: once the wait is over the guesser's next wrong password is an ordinary 401.
        await Poll.UntilAsync(async () =>
        {
            using var retry = await guesser.LoginAsync(user.Phone, "wrong password");
            return retry.StatusCode == HttpStatusCode.Unauthorized;
        }, FirstDelay * 5, () => "the guesser's wait ending");
        using (var longer = await guesser.LoginAsync(user.Phone, "wrong password"))
        {
            await HttpAssert.ProblemAsync(longer, HttpStatusCode.TooManyRequests, "too_many_attempts");
            Assert.Equal(FirstDelay * 2, longer.Headers.RetryAfter?.Delta);
        }

        using var ownLogin = await owner.LoginAsync(user.Phone, user.Password);
        Assert.Equal(HttpStatusCode.OK, ownLogin.StatusCode);
    }

    [Fact]
    public async Task Once_a_phone_is_under_attack_an_address_waits_after_its_first_failure_and_a_fresh_one_does_not()
    {
        using var owner = fixture.CreateClient();
        var user = await owner.RegisterUserAsync();
        for (var stranger = 0; stranger < PhoneUnderAttack / FreeFailures; stranger++)
        {
            using var client = fixture.CreateClient();
            await FailAsync(client, user.Phone, FreeFailures);
        }

        using var another = fixture.CreateClient();
        await FailAsync(another, user.Phone, 1);
        using var held = await another.LoginAsync(user.Phone, "wrong password");
        await HttpAssert.ProblemAsync(held, HttpStatusCode.TooManyRequests, "too_many_attempts");

        using var fresh = await owner.LoginAsync(user.Phone, user.Password);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Twenty_failures_from_one_address_hold_that_address_only()
    {
        var address = TestData.NewClientAddress();
        using var attacker = fixture.CreateClient(address);
        for (var i = 0; i < AddressLimit; i++)
        {
            await FailAsync(attacker, Readers.NewPhone(), 1);
        }

        using var held = await attacker.LoginAsync(Readers.NewPhone(), "wrong password");
        await HttpAssert.ProblemAsync(held, HttpStatusCode.TooManyRequests, "too_many_attempts");
        Assert.InRange(held.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));

        using var someoneElse = fixture.CreateClient();
        using var notHeld = await someoneElse.LoginAsync(Readers.NewPhone(), "wrong password");
        Assert.Equal(HttpStatusCode.Unauthorized, notHeld.StatusCode);
    }

    [Fact]
    public async Task Failures_Redis_lost_still_hold_the_address_because_the_replica_counted_them_too()
    {
        var address = TestData.NewClientAddress();
        using var attacker = fixture.CreateClient(address);
        for (var i = 0; i < AddressLimit; i++)
        {
            await FailAsync(attacker, Readers.NewPhone(), 1);
        }

        // Every count Redis held of this address is gone, as writes that timed out would be.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(fixture.RedisConnectionString))
        {
            var lost = 0;
            await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: $"passport:login:*{IPAddress.Parse(address)}*"))
            {
                lost += await redis.GetDatabase().KeyDeleteAsync(key) ? 1 : 0;
            }

            Assert.True(lost > 0, $"Redis held no count of {address}");
        }

        using var held = await attacker.LoginAsync(Readers.NewPhone(), "wrong password");
        await HttpAssert.ProblemAsync(held, HttpStatusCode.TooManyRequests, "too_many_attempts");
    }

    [Fact]
    public async Task A_successful_login_forgives_that_address_s_earlier_failures_for_the_phone()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        await FailAsync(client, user.Phone, FreeFailures - 1);

        using (var success = await client.LoginAsync(user.Phone, user.Password))
        {
            Assert.Equal(HttpStatusCode.OK, success.StatusCode);
        }

        await FailAsync(client, user.Phone, FreeFailures - 1);
    }

    [Fact]
    public async Task A_burst_of_parallel_guesses_gets_no_more_than_the_free_failures()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 3 * FreeFailures).Select(_ => client.LoginAsync(user.Phone, "wrong password")));

        Assert.Equal(FreeFailures, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(2 * FreeFailures, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static async Task FailAsync(PassportClient client, string phone, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var failed = await client.LoginAsync(phone, "wrong password");
            await HttpAssert.ProblemAsync(failed, HttpStatusCode.Unauthorized, "invalid_credentials");
        }
    }
}
