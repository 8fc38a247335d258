using System.Net;
using Dedao.Passport.Tests.Infrastructure;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class LockoutTests(PassportFixture fixture)
{
    private const int PhoneLimit = 5;
    private const int AddressLimit = 20;

    [Fact]
    public async Task Five_failures_for_one_phone_lock_it_with_429_and_retry_after()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        for (var i = 0; i < PhoneLimit; i++)
        {
            using var failed = await client.LoginAsync(user.Phone, "wrong password");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        // Even the right password, and even from another address: the phone itself is locked.
        using var other = fixture.CreateClient();
        using var locked = await other.LoginAsync(user.Phone, user.Password);

        await PassportClient.AssertProblemAsync(locked, HttpStatusCode.TooManyRequests, "too_many_attempts");
        var retryAfter = locked.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task Twenty_failures_from_one_address_lock_that_address_only()
    {
        var address = TestData.NewClientAddress();
        using var attacker = fixture.CreateClient(address);
        for (var i = 0; i < AddressLimit; i++)
        {
            using var failed = await attacker.LoginAsync(TestData.NewPhone(), "wrong password");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var locked = await attacker.LoginAsync(TestData.NewPhone(), "wrong password");
        await PassportClient.AssertProblemAsync(locked, HttpStatusCode.TooManyRequests, "too_many_attempts");
        Assert.NotNull(locked.Headers.RetryAfter?.Delta);

        using var someoneElse = fixture.CreateClient();
        using var notLocked = await someoneElse.LoginAsync(TestData.NewPhone(), "wrong password");
        Assert.Equal(HttpStatusCode.Unauthorized, notLocked.StatusCode);
    }

    [Fact]
    public async Task A_successful_login_forgives_the_phone_s_earlier_failures()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        for (var i = 0; i < PhoneLimit - 1; i++)
        {
            using var failed = await client.LoginAsync(user.Phone, "wrong password");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using (var success = await client.LoginAsync(user.Phone, user.Password))
        {
            Assert.Equal(HttpStatusCode.OK, success.StatusCode);
        }

        for (var i = 0; i < PhoneLimit - 1; i++)
        {
            using var failed = await client.LoginAsync(user.Phone, "wrong password");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }
    }

    [Fact]
    public async Task A_burst_of_parallel_guesses_cannot_exceed_the_phone_limit()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 3 * PhoneLimit).Select(_ => client.LoginAsync(user.Phone, "wrong password")));

        Assert.Equal(PhoneLimit, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(2 * PhoneLimit, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
