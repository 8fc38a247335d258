using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>
/// A stand-in for any other Dedao service: ServiceDefaults and AddDefaultAuthentication, nothing else,
/// so the tests see passport's tokens validated the way the other services will validate them.
/// </summary>
public sealed class ResourceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private ResourceServer(WebApplication app)
    {
        _app = app;
        _client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client => _client;

    public async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _client.SendAsync(request);
    }

    public static async Task<ResourceServer> StartAsync(IDictionary<string, string?> configuration)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(configuration)
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.AddDefaultAuthentication();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami", (ClaimsPrincipal user) => new
        {
            sub = user.FindFirstValue("sub"),
            name = user.Identity?.Name,
            admin = user.IsInRole("admin"),
        });
        app.MapGet("/open", () => "open").AllowAnonymous();
        app.MapGet("/internal/whoami", (ClaimsPrincipal user) => new
        {
            sub = user.FindFirstValue("sub"),
            jti = user.FindFirstValue("jti"),
        }).RequireAuthorization(ServiceIdentity.Policy);
        await app.StartAsync();
        return new ResourceServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
