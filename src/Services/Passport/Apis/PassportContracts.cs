using System.Text.Json.Serialization;

namespace Dedao.Passport.Apis;

public sealed record RegisterRequest(string? Phone, string? Password, string? Nickname);

public sealed record RegisterResponse(Guid UserId);

public sealed record LoginRequest(string? Phone, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);

public sealed record MeResponse(Guid UserId, string Nickname, string Phone, IReadOnlyList<string> Roles);

public sealed record JsonWebKeySetResponse(IReadOnlyList<JsonWebKeyResponse> Keys);

/// <summary>A public EC key as RFC 7517 spells it; the private part is never copied here.</summary>
public sealed record JsonWebKeyResponse(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y);

/// <summary>The part of OpenID discovery that JwtBearer's metadata retriever reads.</summary>
public sealed record OpenIdConfigurationResponse(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> SigningAlgorithms);
