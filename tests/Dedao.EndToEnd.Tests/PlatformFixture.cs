using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Dedao.Hosting;
using Dedao.Hosting.Orchestration;
using Dedao.Hosting.Testing;

namespace Dedao.EndToEnd.Tests;

/// <summary>The whole platform, booted once from the AppHost's own model with fresh state and free ports.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("Not started.");

    public HttpClient Gateway { get; private set; } = null!;

    public HttpClient Dashboard { get; private set; } = null!;

    /// <summary>Seconds from start to every resource healthy, for the note.</summary>
    public double SecondsToHealthy { get; private set; }

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        _app = builder.Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _app.StartAsync();
        Dashboard = new HttpClient { BaseAddress = new Uri(_app.DashboardUrl!) };
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            foreach (var resource in _app.ResourceNotifications.Snapshots().Select(s => s.Name))
            {
                await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or DistributedApplicationException)
        {
            throw new InvalidOperationException($"The platform did not become healthy:{Environment.NewLine}{await DescribeAsync()}", e);
        }

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
        var phone = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";
        var credentials = new { phone, password = "warm-up password", nickname = "warm-up" };
        using var passport = Direct("passport");
        (await passport.PostAsJsonAsync("/api/v1/passport/register", credentials)).EnsureSuccessStatusCode();
        using var login = await passport.PostAsJsonAsync("/api/v1/passport/login", credentials);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        (string Service, string Path)[] reads =
        [
            ("passport", "/api/v1/passport/me"), ("column", "/api/v1/columns/1"), ("course", "/api/v1/courses/1"),
            ("comment", "/api/v1/comments?targetType=article&targetId=1"), ("order", "/api/v1/orders"),
            ("pay", "/api/v1/payments/1"), ("coin", "/api/v1/coins/wallet"),
        ];
        foreach (var (service, path) in reads)
        {
            using var client = Direct(service);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync(path);
        }
    }

    private HttpClient Direct(string service) =>
        new() { BaseAddress = new Uri(App.ResourceNotifications.Snapshots().Single(s => s.Name == service).Endpoints[0]) };

    /// <summary>Each resource that is not ready, with the end of its console output, from the dashboard's API.</summary>
    private async Task<string> DescribeAsync()
    {
        var report = new StringBuilder();
        foreach (var resource in App.ResourceNotifications.Snapshots().Where(s => s.State != KnownResourceStates.Running || s.Health == "Unhealthy"))
        {
            report.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{resource.Name}: {resource.State} {resource.Health} restarts={resource.Restarts}");
            var logs = await Dashboard.GetFromJsonAsync<string[]>($"/api/resources/{resource.Name}/logs") ?? [];
            foreach (var line in logs.TakeLast(15))
            {
                report.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    {line}");
            }
        }

        return report.ToString();
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        Dashboard?.Dispose();
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
