using System.Buffers.Text;
using Dedao.Passport.Security;
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

    public static async Task<IResult> GetJwksAsync(HttpContext http, SigningKeyStore store, CancellationToken cancellationToken)
    {
        var keys = await store.GetAsync(cancellationToken);
        http.Response.Headers.CacheControl = CacheControl;
        return TypedResults.Ok(new JsonWebKeySetResponse([.. keys.Keys.Select(ToJwk)]));
    }

    public static IResult GetOpenIdConfiguration(HttpContext http)
    {
        // Built from the request so the JWKS is fetched the same way the metadata was reached.
        var request = http.Request;
        var jwksUri = $"{request.Scheme}://{request.Host}{request.PathBase}/api/v1/passport{JwksPath}";
        // Private: the answer depends on the Host header, so a shared cache must not hand it to others.
        http.Response.Headers.CacheControl = "private, max-age=60";
        return TypedResults.Ok(new OpenIdConfigurationResponse(PassportOptions.Issuer, jwksUri, [SecurityAlgorithms.EcdsaSha256]));
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
