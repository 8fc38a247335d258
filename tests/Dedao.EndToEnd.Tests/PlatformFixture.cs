using System.Diagnostics;
using System.Net.Http.Headers;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dedao.Testing;

namespace Dedao.EndToEnd.Tests;

/// <summary>The whole platform, booted once from the AppHost's own model with fresh state and free ports.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// One column instance, proxyless, so each resource here is one process under its own name; Dedao.Content.Tests
    /// covers the two replicas the AppHost runs by default.
    /// </summary>
    internal const string OneColumn = "--AppHost:ColumnReplicas=1";
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("Not started.");

    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>Seconds from start to every resource healthy, for the note.</summary>
    public double SecondsToHealthy { get; private set; }

    public async Task InitializeAsync()
    {
        var builder = await TestAppModel.CreatePlatformAsync(OneColumn);
        _app = await builder.BuildAsync();
        var clock = Stopwatch.StartNew();
        await _app.StartAsync();
        await ResourceHealth.WaitForAllHealthyAsync(_app, StartTimeout);
        SecondsToHealthy = clock.Elapsed.TotalSeconds;
        Gateway = _app.CreateHttpClient("gateway");
        await WarmUpAsync();
    }

    /// <summary>
    /// A cold service takes about 1.5 s for its first signed-in query (JIT, key fetch, EF query compilation), close to
    /// the gateway's 2 s budget; like a deployment's warm-up probe, one signed-in request per service, directly.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var passport = App.CreateHttpClient("passport");
        var token = (await Readers.SignUpAsync(passport, "warm-up")).Token;
        (string Service, string Path)[] reads =
        [
            ("passport", "/api/v1/passport/me"), ("column", "/api/v1/columns/1"), ("course", "/api/v1/courses/1"),
            ("comment", "/api/v1/comments?targetType=article&targetId=1"), ("order", "/api/v1/orders"),
            ("pay", "/api/v1/payments/1"), ("coin", "/api/v1/coins/wallet"),
        ];
        foreach (var (service, path) in reads)
        {
            using var client = App.CreateHttpClient(service);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync(path);
        }
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class Platform : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
