using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dedao.Testing;

namespace Dedao.Passport.Tests.Infrastructure;

public sealed record TokenPair(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);

public sealed record RegisteredUser(Guid UserId, string Phone, string Password);

/// <summary>Passport's public calls, as a client of the API makes them.</summary>
public sealed class PassportClient(HttpClient http) : IDisposable
{
    private const string Api = "/api/v1/passport";

    public HttpClient Http => http;

    public Task<HttpResponseMessage> RegisterAsync(object body) => http.PostAsJsonAsync($"{Api}/register", body);

    public async Task<RegisteredUser> RegisterUserAsync(string? phone = null, string password = Readers.Password)
    {
        phone ??= Readers.NewPhone();
        using var response = await RegisterAsync(new { phone, password, nickname = "reader" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await ReadJsonAsync(response);
        return new RegisteredUser(body.GetProperty("userId").GetGuid(), phone, password);
    }

    public Task<HttpResponseMessage> LoginAsync(string phone, string password) =>
        http.PostAsJsonAsync($"{Api}/login", new { phone, password });

    public async Task<TokenPair> LoginTokensAsync(string phone, string password)
    {
        using var response = await LoginAsync(phone, password);
        return await ReadTokensAsync(response);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        http.PostAsJsonAsync($"{Api}/refresh", new { refreshToken });

    public Task<HttpResponseMessage> LogoutAsync(string accessToken) =>
        SendAsync(HttpMethod.Post, $"{Api}/logout", accessToken);

    public Task<HttpResponseMessage> MeAsync(string? accessToken) =>
        SendAsync(HttpMethod.Get, $"{Api}/me", accessToken);

    public Task<HttpResponseMessage> GetAsync(string path) => http.GetAsync(new Uri(path, UriKind.Relative));

    public static async Task<TokenPair> ReadTokensAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenPair>())!;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public void Dispose() => http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accessToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return await http.SendAsync(request);
    }
}
