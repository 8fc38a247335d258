// Ours: neither JwtBearer nor Microsoft.IdentityModel keeps what it validated, so every request of every hop paid for an ECDSA verify.
using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// JwtBearer's token handler with a memory of the tokens it found valid: the same token again within
/// <see cref="RememberFor"/>, and before it expires, is valid without a second signature check. Keyed by the whole token,
/// so only the exact bytes that passed once pass again; a token that failed is checked in full every time. The price:
/// a signing key withdrawn from passport's key set stops its tokens here up to <see cref="RememberFor"/> later.
/// </summary>
public sealed class RememberingTokenHandler : JsonWebTokenHandler
{
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(1);

    /// <summary>Tokens remembered at most: about 1 KB each, a few MB in all.</summary>
    public const int Capacity = 10_000;

    private readonly IMemoryCache _valid;
    private readonly TimeProvider _time;

    /// <param name="valid">Where the tokens are kept, with a <c>SizeLimit</c>: each counts 1 (see <see cref="CreateMemory"/>).</param>
    public RememberingTokenHandler(IMemoryCache valid, TimeProvider time)
    {
        _valid = valid;
        _time = time;
        // Keep "sub" and "roles" as passport wrote them, as JwtBearer's own handler does once MapInboundClaims is off.
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _time.GetUtcNow();
        if (_valid.TryGetValue(token, out Validated? known) && now < known!.Until)
        {
            // A principal of its own per request: whatever one request adds to its identity, the next does not see.
            return new TokenValidationResult
            {
                IsValid = true,
                ClaimsIdentity = known.Identity.Clone(),
                SecurityToken = known.Token,
                Issuer = known.Issuer,
                TokenType = known.TokenType,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result is { IsValid: true, SecurityToken: JsonWebToken jwt })
        {
            var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + validationParameters.ClockSkew;
            var until = now + RememberFor < expires ? now + RememberFor : expires;
            if (until > now)
            {
                _valid.Set(token, new Validated(result.ClaimsIdentity.Clone(), jwt, result.Issuer, result.TokenType, until),
                    new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = until - now });
            }
        }

        return result;
    }

    /// <summary>A memory for the handler, bounded to <see cref="Capacity"/> tokens; its owner disposes it.</summary>
    public static MemoryCache CreateMemory() => new(new MemoryCacheOptions { SizeLimit = Capacity });

    private sealed record Validated(ClaimsIdentity Identity, SecurityToken Token, string? Issuer, string? TokenType, DateTimeOffset Until);
}
