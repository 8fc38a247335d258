using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class RefreshTests(PassportFixture fixture)
{
    [Fact]
    public async Task Refresh_gives_a_new_pair_and_the_old_refresh_token_stops_working()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var first = await client.LoginTokensAsync(user.Phone, user.Password);

        using var refreshed = await client.RefreshAsync(first.RefreshToken);
        var second = await PassportClient.ReadTokensAsync(refreshed);

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        using var me = await client.MeAsync(second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        using var reused = await client.RefreshAsync(first.RefreshToken);
        await HttpAssert.ProblemAsync(reused, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Presenting_a_rotated_token_again_revokes_the_whole_family()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var first = await client.LoginTokensAsync(user.Phone, user.Password);
        using var refreshed = await client.RefreshAsync(first.RefreshToken);
        var second = await PassportClient.ReadTokensAsync(refreshed);

        using var reused = await client.RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);

        // The legitimate holder's newest token dies too: a thief's copy of it would otherwise live on.
        using var newest = await client.RefreshAsync(second.RefreshToken);
        await HttpAssert.ProblemAsync(newest, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Another_login_family_survives_the_revocation_of_one_family()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var leaked = await client.LoginTokensAsync(user.Phone, user.Password);
        var otherDevice = await client.LoginTokensAsync(user.Phone, user.Password);
        using (var rotated = await client.RefreshAsync(leaked.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        using var reused = await client.RefreshAsync(leaked.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);

        using var other = await client.RefreshAsync(otherDevice.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Two_concurrent_uses_of_one_token_let_at_most_one_through()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();
        var tokens = await client.LoginTokensAsync(user.Phone, user.Password);

        var responses = await Task.WhenAll(client.RefreshAsync(tokens.RefreshToken), client.RefreshAsync(tokens.RefreshToken));

        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.OK) <= 1);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Unauthorized);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task An_unknown_refresh_token_is_401(string refreshToken)
    {
        using var client = fixture.CreateClient();

        using var response = await client.RefreshAsync(refreshToken);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task A_missing_refresh_token_is_400()
    {
        using var client = fixture.CreateClient();

        using var response = await client.RefreshAsync("");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }
}
