using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Gateway.Tests;

/// <summary>
/// The real gateway process, run by Aspire with a Redis of its own, in front of stand-in backends: every service name
/// resolves to the stable echo backend, <c>column-canary</c> to a second one, <c>down</c> to a closed port and <c>hung</c>
/// to a socket that accepts and never answers. Routes and canary weights can be changed at run time in <see cref="OverridesFile"/>.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime, IDisposable
{
    private static readonly string[] Services = ["passport", "column", "course", "comment", "order", "pay", "coin"];
    private readonly TcpListener _hung = new(IPAddress.Loopback, 0);
    private DistributedApplication? _app;

    public EchoBackend Stable { get; private set; } = null!;

    public EchoBackend Canary { get; private set; } = null!;

    public string OverridesFile { get; } = Path.Combine(Directory.CreateTempSubdirectory("dedao-gateway-").FullName, "overrides.json");

    public HttpClient Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stable = await EchoBackend.StartAsync("stable");
        Canary = await EchoBackend.StartAsync("canary");
        _hung.Start();
        await WriteOverridesAsync(canaryPercent: 30);

        var builder = TestAppModel.CreateEmpty();
        var redis = builder.AddRedisServer("redis");
        var gateway = builder.AddProject<Projects.Dedao_Gateway>("gateway")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithReference(redis).WaitFor(redis)
            // These tests send hundreds of requests from one address; the limits have tests of their own.
            .WithEnvironment("RateLimiting__Policies__standard__PermitLimit", "100000")
            .WithEnvironment("RateLimiting__Policies__standard__TokensPerPeriod", "100000")
            .WithEnvironment("Gateway__OverridesFile", OverridesFile)
            .WithEnvironment("services__column-canary__http__0", Canary.Url)
            .WithEnvironment("services__down__http__0", Loopback(FreePort.Next()))
            .WithEnvironment("services__hung__http__0", Loopback(((IPEndPoint)_hung.LocalEndpoint).Port));
        foreach (var service in Services)
        {
            gateway.WithEnvironment($"services__{service}__http__0", Stable.Url);
        }

        _app = builder.Build();
        await _app.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Gateway = GatewayClient.For(_app, "gateway");
    }

    /// <summary>Test routes to the failing backends, and the canary split of <c>columns-read</c>.</summary>
    public Task WriteOverridesAsync(int canaryPercent) => File.WriteAllTextAsync(OverridesFile, $$"""
        {
          "ReverseProxy": {
            "Routes": {
              "columns-read": { "Metadata": { "CanaryCluster": "column-canary", "CanaryPercent": "{{canaryPercent}}" } },
              "test-down": { "ClusterId": "down", "AuthorizationPolicy": "anonymous", "Match": { "Path": "/test/down/{**rest}" } },
              "test-hung": { "ClusterId": "hung", "AuthorizationPolicy": "anonymous", "Match": { "Path": "/test/hung/{**rest}" } }
            },
            "Clusters": {
              "column-canary": { "Destinations": { "primary": { "Address": "http://column-canary" } } },
              "down": { "Destinations": { "primary": { "Address": "http://down" } } },
              "hung": { "HttpRequest": { "ActivityTimeout": "00:00:02" }, "Destinations": { "primary": { "Address": "http://hung" } } }
            }
          }
        }
        """);

    public void Dispose() => _hung.Dispose();

    // A string, not an interpolation at the call: WithEnvironment would take that as an Aspire ReferenceExpression.
    private static string Loopback(int port) => $"http://127.0.0.1:{port}";

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        foreach (var backend in new[] { Stable, Canary }.Where(b => b is not null))
        {
            await backend.DisposeAsync();
        }

        Directory.Delete(Path.GetDirectoryName(OverridesFile)!, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
