using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Dedao.Gateway.RateLimiting;
using Dedao.Testing;
using StackExchange.Redis;

namespace Dedao.Gateway.Tests;

/// <summary>
/// A minimal gateway replica in process, on Kestrel at 127.0.0.1:0: the gateway's rate limiting with one policy
/// <see cref="Policy"/> of <see cref="Permits"/> an hour on <c>/limited</c>, nothing on <c>/open</c>. A request with
/// <c>X-Test-Sub</c> is signed in as that user, standing in for the JwtBearer authentication in front of it.
/// </summary>
public sealed class RateLimitingTestApp : IAsyncDisposable
{
    public const string Policy = "test";
    public const int Permits = 3;
    public const string SubHeader = "X-Test-Sub";

    private readonly WebApplication _app;

    private RateLimitingTestApp(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IConnectionMultiplexer Redis => _app.Services.GetRequiredService<IConnectionMultiplexer>();

    public static async Task<RateLimitingTestApp> StartAsync(
        RateLimitingRedisServer redis,
        IReadOnlyDictionary<string, string?>? configuration = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? map = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            // Generous, so a loaded test machine does not turn a slow answer into a fallback; tests of the timeout set their own.
            ["RateLimiting:RedisTimeout"] = "00:00:05",
            ["RateLimiting:RedisCoolDown"] = "00:00:00.500",
            [$"RateLimiting:Policies:{Policy}:PermitLimit"] = $"{Permits}",
            [$"RateLimiting:Policies:{Policy}:TokensPerPeriod"] = $"{Permits}",
            [$"RateLimiting:Policies:{Policy}:ReplenishmentPeriod"] = "01:00:00",
        };
        foreach (var (key, value) in configuration ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = CreateBuilder(settings);
        builder.Services.AddDefaultProblemDetails();
        builder.AddGatewayRateLimiting();
        configureBuilder?.Invoke(builder);

        var app = builder.Build();
        app.Use(SignInFromTestHeader);
        app.UseGatewayRateLimiting();
        app.MapGet("/limited", () => "ok").RequireRateLimiting(Policy);
        app.MapGet("/open", () => "ok");
        map?.Invoke(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var started = new RateLimitingTestApp(app, new Uri(app.Urls.First()));
        await started.WaitUntilSharedAsync();
        return started;
    }

    /// <summary>
    /// Polls until this replica limits in Redis: a request of a user never seen before leaves its bucket there.
    /// Probe users have their own buckets, so the probes spend nobody else's tokens.
    /// </summary>
    public async Task WaitUntilSharedAsync()
    {
        using var client = CreateClient();
        await Poll.UntilAsync(async () =>
        {
            var user = $"probe-{Guid.NewGuid():N}";
            using var response = await client.GetAsUserAsync("/limited", user);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await Redis.GetDatabase().KeyExistsAsync(BucketKey($"user:{user}"));
        }, TimeSpan.FromSeconds(30), () => $"the replica at {Address} limits in Redis");
    }

    public static string BucketKey(string partition) =>
        $"{new GatewayRateLimitingOptions().KeyPrefix}:{Policy}:{partition}";

    /// <summary>A builder that reads only the given configuration (not the gateway's appsettings.json) and listens on a free port.</summary>
    public static WebApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string?> configuration)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    /// <summary>A client whose connections come from <paramref name="from"/> (any 127.x.y.z works on loopback).</summary>
    public HttpClient CreateClient(IPAddress? from = null)
    {
        var local = from ?? IPAddress.Loopback;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static Task SignInFromTestHeader(HttpContext context, Func<Task> next)
    {
        if (context.Request.Headers[SubHeader] is [{ Length: > 0 } sub])
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", sub)], authenticationType: "test"));
        }

        return next();
    }
}
