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

    public Task<AccessToken> IssueAsync(User user, CancellationToken cancellationToken) =>
        SignAsync(new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
            ["roles"] = user.RoleList.ToArray(),
        }, cancellationToken);

    /// <summary>
    /// A service's own token (client credentials): <c>sub</c> and <c>client_id</c> name the service, as RFC 9068 has it,
    /// and no user, so a route that answers for a user refuses it.
    /// </summary>
    public Task<AccessToken> IssueForServiceAsync(string clientId, CancellationToken cancellationToken) =>
        SignAsync(new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = clientId,
            [ServiceIdentity.ClientIdClaim] = clientId,
        }, cancellationToken);

    private async Task<AccessToken> SignAsync(Dictionary<string, object> claims, CancellationToken cancellationToken)
    {
        var key = (await keys.GetAsync(cancellationToken)).Current;
        var lifetime = options.Value.AccessTokenLifetime;
        var now = time.GetUtcNow().UtcDateTime;
        claims[JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N");
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = PassportOptions.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key.Key, key.Algorithm),
        });
        return new AccessToken(token, lifetime);
    }
}
