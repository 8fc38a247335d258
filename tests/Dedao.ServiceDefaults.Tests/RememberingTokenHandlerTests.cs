using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>
/// What the handler remembers of a valid token and for how long. Taking the signing key away from the parameters makes a
/// full validation fail, so a token that still passes was answered from memory.
/// </summary>
public sealed class RememberingTokenHandlerTests : IDisposable
{
    // IdentityModel checks a token's lifetime on the real clock; the memory's clock starts there and moves on alone.
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly MemoryCache _memory = RememberingTokenHandler.CreateMemory();

    [Fact]
    public async Task A_token_seen_valid_is_valid_again_without_its_key_until_a_minute_has_passed()
    {
        var handler = new RememberingTokenHandler(_memory, _time);
        var token = Sign(expires: Start.AddMinutes(15));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(withKey: true))).IsValid);

        _time.Advance(RememberingTokenHandler.RememberFor - TimeSpan.FromSeconds(1));
        var remembered = await handler.ValidateTokenAsync(token, Parameters(withKey: false));
        Assert.True(remembered.IsValid);
        Assert.Equal("reader-1", remembered.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.Equal("sub", remembered.ClaimsIdentity.NameClaimType);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await handler.ValidateTokenAsync(token, Parameters(withKey: false))).IsValid);
    }

    [Fact]
    public async Task A_token_is_not_remembered_past_its_expiry()
    {
        var handler = new RememberingTokenHandler(_memory, _time);
        var parameters = Parameters(withKey: true);
        var token = Sign(expires: Start.AddSeconds(10));
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);

        _time.Advance(TimeSpan.FromSeconds(10) + parameters.ClockSkew - TimeSpan.FromSeconds(1));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(withKey: false))).IsValid);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await handler.ValidateTokenAsync(token, Parameters(withKey: false))).IsValid);
    }

    [Fact]
    public async Task Only_the_exact_token_is_remembered_and_a_failed_one_never_is()
    {
        var handler = new RememberingTokenHandler(_memory, _time);
        var token = Sign(expires: Start.AddMinutes(15));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(withKey: true))).IsValid);
        // The same claims under another signature: the last character of the signature changed.
        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        Assert.False((await handler.ValidateTokenAsync(tampered, Parameters(withKey: true))).IsValid);
        Assert.False((await handler.ValidateTokenAsync(tampered, Parameters(withKey: false))).IsValid);
    }

    [Fact]
    public async Task Each_request_gets_an_identity_of_its_own()
    {
        var handler = new RememberingTokenHandler(_memory, _time);
        var token = Sign(expires: Start.AddMinutes(15));
        await handler.ValidateTokenAsync(token, Parameters(withKey: true));

        var first = await handler.ValidateTokenAsync(token, Parameters(withKey: true));
        first.ClaimsIdentity.AddClaim(new Claim("roles", "admin"));
        var second = await handler.ValidateTokenAsync(token, Parameters(withKey: true));

        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.False(new ClaimsPrincipal(second.ClaimsIdentity).IsInRole("admin"));
    }

    private string Sign(DateTimeOffset expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "passport",
        Audience = "dedao",
        Claims = new Dictionary<string, object> { ["sub"] = "reader-1" },
        IssuedAt = Start.UtcDateTime,
        NotBefore = Start.UtcDateTime,
        Expires = expires.UtcDateTime,
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
    });

    private TokenValidationParameters Parameters(bool withKey) => new()
    {
        ValidIssuer = "passport",
        ValidAudience = "dedao",
        IssuerSigningKeys = withKey ? [new ECDsaSecurityKey(_key) { KeyId = "k1" }] : [],
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = "sub",
        RoleClaimType = "roles",
    };

    public void Dispose()
    {
        _memory.Dispose();
        _key.Dispose();
    }
}
