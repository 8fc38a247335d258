using System.Text.Json.Nodes;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>The claims of passport's tokens, for a test to forge a token that differs from a real one in one respect.</summary>
public static class PassportClaims
{
    /// <summary>Claims as passport writes them, for the given user, valid now.</summary>
    public static JsonObject For(Guid userId, string issuer = PassportFixture.Issuer, string audience = "dedao", DateTimeOffset? issuedAt = null, TimeSpan? lifetime = null)
    {
        var iat = issuedAt ?? DateTimeOffset.UtcNow;
        return new JsonObject
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["sub"] = userId.ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = iat.ToUnixTimeSeconds(),
            ["nbf"] = iat.ToUnixTimeSeconds(),
            ["exp"] = (iat + (lifetime ?? TimeSpan.FromMinutes(10))).ToUnixTimeSeconds(),
            ["roles"] = new JsonArray("user"),
        };
    }
}
