using Dedao.Passport.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dedao.Passport.Security;

public sealed record AccessToken(string Token, TimeSpan Lifetime);

/// <summary>Signs ES256 access tokens with the current key; the kid header names it for the JWKS.</summary>
public sealed class AccessTokenIssuer(SigningKeyStore keys, IOptions<PassportOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async Task<AccessToken> IssueAsync(User user, CancellationToken cancellationToken)
    {
        var key = (await keys.GetAsync(cancellationToken)).Current;
        var lifetime = options.Value.AccessTokenLifetime;
        var now = time.GetUtcNow().UtcDateTime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = PassportOptions.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                ["roles"] = user.RoleList.ToArray(),
            },
            SigningCredentials = new SigningCredentials(key.Key, key.Algorithm),
        });
        return new AccessToken(token, lifetime);
    }
}
