using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Dedao.Testing;

namespace Dedao.EndToEnd.Tests;

/// <summary>
/// Passport's public calls made through the gateway from one loopback address of its own (127.0.0.N), so the
/// gateway's per-address limits (login 10/min, register 5/min, the rest 100/10 s) and passport's per-address lockout
/// see every test as a different client, whatever the other tests in the collection do.
/// </summary>
internal sealed class PassportThroughGatewayClient : IDisposable
{
    public const string Password = Readers.Password;
    private const string Api = "/api/v1/passport";

    // 127.0.0.1 is the fixture's own client (and that of every other test); the first one here is 127.0.0.20.
    private static int s_lastHost = 19;

    private readonly HttpClient _http;

    private PassportThroughGatewayClient(HttpClient http, IPAddress address)
    {
        _http = http;
        Address = address;
    }

    /// <summary>The source address the gateway sees for this client.</summary>
    public IPAddress Address { get; }

    /// <summary>A client at a loopback address no other client of this test run uses.</summary>
    public static PassportThroughGatewayClient Create(PlatformFixture platform)
    {
        var host = Interlocked.Increment(ref s_lastHost);
        Assert.InRange(host, 20, 254);
        var address = new IPAddress([127, 0, 0, (byte)host]);

        Uri gateway;
        using (var probe = platform.App.CreateHttpClient("gateway"))
        {
            gateway = probe.BaseAddress!;
        }

        // The gateway listens on localhost; its IPv4 side is reachable at 127.0.0.1 from any 127/8 source address.
        var endpoint = new IPEndPoint(IPAddress.Loopback, gateway.Port);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(address, 0));
                    await socket.ConnectAsync(endpoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new PassportThroughGatewayClient(new HttpClient(handler, disposeHandler: true) { BaseAddress = gateway }, address);
    }

    public Task<HttpResponseMessage> RegisterAsync(object body) => _http.PostAsJsonAsync($"{Api}/register", body);

    /// <summary>Registers a new reader (201 asserted) and returns their id and phone; a new phone for each resend after a 503.</summary>
    public async Task<(Guid UserId, string Phone)> RegisterUserAsync()
    {
        var phone = "";
        using var response = await Resend.UntilServedAsync(() =>
        {
            phone = Readers.NewPhone();
            return RegisterAsync(new { phone, password = Password, nickname = "读者" });
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created,
            $"register: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = await ReadJsonAsync(response);
        return (body.GetProperty("userId").GetGuid(), phone);
    }

    public Task<HttpResponseMessage> LoginAsync(string phone, string password) =>
        _http.PostAsJsonAsync($"{Api}/login", new { phone, password });

    /// <summary>Logs in (200 asserted) and returns the access and refresh tokens.</summary>
    public async Task<(string AccessToken, string RefreshToken)> LoginTokensAsync(string phone, string password = Password)
    {
        using var response = await Resend.UntilServedAsync(() => LoginAsync(phone, password));
        return await ReadTokensAsync(response);
    }

    /// <summary>A new reader, logged in: their id, phone and access and refresh tokens.</summary>
    public async Task<(Guid UserId, string Phone, string AccessToken, string RefreshToken)> SignUpAsync()
    {
        var (userId, phone) = await RegisterUserAsync();
        var (access, refresh) = await LoginTokensAsync(phone);
        return (userId, phone, access, refresh);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        _http.PostAsJsonAsync($"{Api}/refresh", new { refreshToken });

    public Task<HttpResponseMessage> LogoutAsync(string? accessToken) => SendAsync(HttpMethod.Post, $"{Api}/logout", accessToken);

    public Task<HttpResponseMessage> MeAsync(string? accessToken) => SendAsync(HttpMethod.Get, $"{Api}/me", accessToken);

    public Task<HttpResponseMessage> GetAsync(string path, string? accessToken = null) => SendAsync(HttpMethod.Get, path, accessToken);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public static async Task<(string AccessToken, string RefreshToken)> ReadTokensAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected a token pair: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = await ReadJsonAsync(response);
        return (body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accessToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return await _http.SendAsync(request);
    }
}
