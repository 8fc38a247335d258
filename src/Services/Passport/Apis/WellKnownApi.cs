using System.Buffers.Text;
using Dedao.Passport.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Dedao.Passport.Apis;

/// <summary>Discovery documents other services' JwtBearer reads to validate passport's tokens.</summary>
public static class WellKnownApi
{
    private const string JwksPath = "/.well-known/jwks.json";

    // Short, so a rotated key reaches other services quickly; they also refetch on an unknown kid.
    private const string CacheControl = "public, max-age=60";

    public static void MapWellKnown(this RouteGroupBuilder api)
    {
        api.MapGet(JwksPath, GetJwksAsync).AllowAnonymous();
        api.MapGet("/.well-known/openid-configuration", GetOpenIdConfiguration).AllowAnonymous();
    }

    public static async Task<Ok<JsonWebKeySetResponse>> GetJwksAsync(HttpContext http, SigningKeyStore store, CancellationToken cancellationToken)
    {
        var keys = await store.GetAsync(cancellationToken);
        http.Response.Headers.CacheControl = CacheControl;
        return TypedResults.Ok(new JsonWebKeySetResponse([.. keys.Keys.Select(ToJwk)]));
    }

    public static Ok<OpenIdConfigurationResponse> GetOpenIdConfiguration(HttpContext http, IOptions<PassportOptions> options)
    {
        // The JWKS at the address the client used (the gateway's public one, from its forwarded headers, or a
        // service's direct one), so it is fetched the way the metadata was reached. The issuer is fixed: it is in the tokens.
        var request = http.Request;
        var jwksUri = $"{request.Scheme}://{request.Host}{request.PathBase}{PassportOptions.ApiPath}{JwksPath}";
        // Private: the answer depends on the Host header, so a shared cache must not hand it to others.
        http.Response.Headers.CacheControl = "private, max-age=60";
        return TypedResults.Ok(new OpenIdConfigurationResponse(options.Value.Issuer, jwksUri, [SecurityAlgorithms.EcdsaSha256]));
    }

    private static JsonWebKeyResponse ToJwk(SigningKeyMaterial key) => new(
        Kty: "EC",
        Use: "sig",
        Alg: key.Algorithm,
        Kid: key.KeyId,
        Crv: "P-256",
        X: Base64Url.EncodeToString(key.PublicParameters.Q.X),
        Y: Base64Url.EncodeToString(key.PublicParameters.Q.Y));
}
