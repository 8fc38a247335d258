using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Serialization;
using Dedao.Passport.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dedao.Passport.Apis;

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 §4.4): a service asks for a token of its own, for the calls it makes on
/// nobody's behalf. Under <c>/internal</c>, which the gateway does not route. Errors are problem+json whose
/// <c>error</c> is RFC 6749's code, so OAuth clients read them as well.
/// </summary>
public static class ServiceTokenApi
{
    // Not in passport's OpenAPI document, which clients read through the gateway: the route is for services only.
    public static void MapServiceTokenApi(this IEndpointRouteBuilder app) =>
        app.MapPost(ServiceIdentity.TokenPath, IssueAsync).AllowAnonymous().ExcludeFromDescription();

    public static async Task<Results<Ok<ServiceTokenResponse>, ProblemHttpResult>> IssueAsync(
        HttpContext http, ServiceClients clients, AccessTokenIssuer issuer, ILogger<ServiceClients> logger, CancellationToken cancellationToken)
    {
        // A token is a credential: no cache on the way may keep it (RFC 6749 §5.1).
        http.Response.Headers.CacheControl = "no-store";
        if (!http.Request.HasFormContentType)
        {
            return OAuthProblem(StatusCodes.Status400BadRequest, "invalid_request", "The request must be a form (application/x-www-form-urlencoded).");
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        if (form["grant_type"] != "client_credentials")
        {
            return OAuthProblem(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only the client_credentials grant is served here.");
        }

        if (ReadClient(http.Request, form) is not { } client)
        {
            return OAuthProblem(StatusCodes.Status400BadRequest, "invalid_request", "The client must authenticate once: HTTP Basic or client_id and client_secret.");
        }

        if (!clients.Verify(client.ClientId, client.Secret))
        {
            logger.LogWarning("A service token was refused to client {ClientId}: unknown client or wrong secret", client.ClientId);
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"dedao\"";
            return OAuthProblem(StatusCodes.Status401Unauthorized, "invalid_client", "The client is unknown or its secret is wrong.");
        }

        var token = await issuer.IssueForServiceAsync(client.ClientId, cancellationToken);
        return TypedResults.Ok(new ServiceTokenResponse(token.Token, "Bearer", (int)token.Lifetime.TotalSeconds));
    }

    /// <summary>client_secret_basic or client_secret_post (RFC 6749 §2.3.1), never both.</summary>
    private static (string ClientId, string Secret)? ReadClient(HttpRequest request, IFormCollection form)
    {
        var posted = form.ContainsKey("client_id") || form.ContainsKey("client_secret");
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (posted || !TryDecodeBase64(header.Parameter, out var decoded) || decoded.Split(':', 2) is not [var id, var secret])
            {
                return null;
            }

            // Each part is form-encoded before it is joined (§2.3.1).
            return (Uri.UnescapeDataString(id.Replace('+', ' ')), Uri.UnescapeDataString(secret.Replace('+', ' ')));
        }

        return form["client_id"] is [{ Length: > 0 } postedId] && form["client_secret"] is [{ Length: > 0 } postedSecret]
            ? (postedId, postedSecret)
            : null;
    }

    private static bool TryDecodeBase64(string? value, out string decoded)
    {
        decoded = "";
        var bytes = new byte[((value?.Length ?? 0) * 3 / 4) + 3];
        if (value is null || !Convert.TryFromBase64String(value, bytes, out var written))
        {
            return false;
        }

        decoded = Encoding.UTF8.GetString(bytes, 0, written);
        return true;
    }

    private static ProblemHttpResult OAuthProblem(int status, string error, string title) =>
        TypedResults.Problem(statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["code"] = error, ["error"] = error });
}

public sealed record ServiceTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);
