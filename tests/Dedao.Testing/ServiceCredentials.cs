using System.Net;

namespace Dedao.Testing;

/// <summary>A service's own token from passport (client credentials), as ServiceDefaults' ServiceIdentity asks for it.</summary>
public static class ServiceCredentials
{
    public const string TokenPath = "/internal/connect/token";

    public static Task<HttpResponseMessage> RequestAsync(HttpClient passport, string clientId, string secret) =>
        passport.PostAsync(new Uri(TokenPath, UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));

    public static async Task<string> TokenAsync(HttpClient passport, string clientId, string secret)
    {
        using var response = await RequestAsync(passport, clientId, secret);
        return (await HttpAssert.JsonAsync(response, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
    }
}
