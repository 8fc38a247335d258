using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class MeTests(PassportFixture fixture)
{
    [Fact]
    public async Task Me_shows_the_user_with_a_masked_phone()
    {
        using var client = fixture.CreateClient();
        var phone = "138" + Readers.NewPhone()[3..7] + "0000";
        var user = await client.RegisterUserAsync(phone);
        var tokens = await client.LoginTokensAsync(user.Phone, user.Password);

        using var response = await client.MeAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await PassportClient.ReadJsonAsync(response);
        Assert.Equal(user.UserId, me.GetProperty("userId").GetGuid());
        Assert.Equal("reader", me.GetProperty("nickname").GetString());
        Assert.Equal("138****0000", me.GetProperty("phone").GetString());
        Assert.Equal(["user"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Me_without_a_token_is_401_problem()
    {
        using var client = fixture.CreateClient();

        using var response = await client.MeAsync(accessToken: null);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }
}
