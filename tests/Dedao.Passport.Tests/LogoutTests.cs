using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class LogoutTests(PassportFixture fixture)
{
    [Fact]
    public async Task Logout_is_204_and_revokes_every_refresh_token_of_the_user()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var phone = await client.LoginTokensAsync(user.Phone, user.Password);
        var laptop = await client.LoginTokensAsync(user.Phone, user.Password);

        using var logout = await client.LogoutAsync(phone.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var fromPhone = await client.RefreshAsync(phone.RefreshToken);
        using var fromLaptop = await client.RefreshAsync(laptop.RefreshToken);
        await HttpAssert.ProblemAsync(fromPhone, HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await HttpAssert.ProblemAsync(fromLaptop, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Logout_without_a_token_is_401()
    {
        using var client = fixture.CreateClient();

        using var response = await client.LogoutAsync("");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_user_can_log_in_again_after_logout()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var tokens = await client.LoginTokensAsync(user.Phone, user.Password);
        using (var logout = await client.LogoutAsync(tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        var again = await client.LoginTokensAsync(user.Phone, user.Password);
        using var refreshed = await client.RefreshAsync(again.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }
}
