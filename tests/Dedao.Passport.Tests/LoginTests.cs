using System.Net;
using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

[Collection(PassportCollection.Name)]
public sealed class LoginTests(PassportFixture fixture)
{
    [Fact]
    public async Task The_right_password_gets_a_bearer_token_pair()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();

        var tokens = await client.LoginTokensAsync(user.Phone, user.Password);

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(600, tokens.ExpiresIn);
        Assert.False(string.IsNullOrEmpty(tokens.RefreshToken));
        var header = Jwt.Header(tokens.AccessToken);
        Assert.Equal("ES256", (string?)header["alg"]);
        Assert.False(string.IsNullOrEmpty((string?)header["kid"]));
    }

    [Fact]
    public async Task The_access_token_carries_sub_exp_iat_jti_and_roles()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();

        var payload = Jwt.Payload((await client.LoginTokensAsync(user.Phone, user.Password)).AccessToken);

        Assert.Equal(user.UserId.ToString(), (string?)payload["sub"]);
        Assert.Equal(PassportFixture.Issuer, (string?)payload["iss"]);
        Assert.Equal("dedao", (string?)payload["aud"]);
        Assert.False(string.IsNullOrEmpty((string?)payload["jti"]));
        var lifetime = (long)payload["exp"]! - (long)payload["iat"]!;
        Assert.InRange(lifetime, 1, 15 * 60);
        Assert.Equal(["user"], payload["roles"]!.AsArray().Select(r => (string?)r));
    }

    [Fact]
    public async Task Unknown_phone_and_wrong_password_fail_the_same_way()
    {
        using var client = fixture.CreateClient();
        var user = await client.RegisterUserAsync();

        using var wrongPassword = await client.LoginAsync(user.Phone, "not the password");
        using var unknownPhone = await client.LoginAsync(Readers.NewPhone(), user.Password);

        var wrong = await HttpAssert.ProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknown = await HttpAssert.ProblemAsync(unknownPhone, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(wrong.GetProperty("title").GetString(), unknown.GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_admin_from_the_apphost_parameters_can_log_in_with_the_admin_role()
    {
        using var client = fixture.CreateClient();

        var tokens = await client.LoginTokensAsync(PassportFixture.AdminPhone, PassportFixture.AdminPassword);

        var roles = Jwt.Payload(tokens.AccessToken)["roles"]!.AsArray().Select(r => (string?)r);
        Assert.Contains("admin", roles);
    }
}
