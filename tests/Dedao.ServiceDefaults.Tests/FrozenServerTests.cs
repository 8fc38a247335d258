using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dedao.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>
/// A service built on the defaults answers 503 service_unavailable itself, from its request budget and its dependency
/// timeouts, when MySQL or Redis is frozen (SIGSTOP: connections open, nothing answers), and works again once the server
/// is back. That the budget fits inside the gateway's wait is the gateway suite's configuration test; here the time is
/// printed, not asserted, as a loaded machine stretches any bound.
/// </summary>
[Collection(BackingServers.Name)]
public sealed class FrozenServerTests(BackingServersFixture servers) : IAsyncLifetime, IDisposable
{
    private WebApplication? _app;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "None",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["ConnectionStrings:testdb"] = servers.ConnectionString("testdb"),
            ["ConnectionStrings:redis"] = servers.ConnectionString("redis"),
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.AddMySqlDbContext<NotesContext>("testdb");
        builder.AddRedisClient("redis");
        _app = builder.Build();
        _app.MapGet("/notes", async (NotesContext db, CancellationToken cancellationToken) => await db.Notes.CountAsync(cancellationToken));
        _app.MapGet("/redis", async (IConnectionMultiplexer redis) => (await redis.GetDatabase().PingAsync()).TotalMilliseconds);
        await _app.StartAsync();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NotesContext>().Database.EnsureCreatedPatientlyAsync();
        }

        // Far past the budget: only a service that hangs on the frozen server runs into it.
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(10) };
        foreach (var path in new[] { "/notes", "/redis" })
        {
            var last = "";
            await Poll.UntilAsync(async () =>
            {
                using var response = await _client.GetAsync(new Uri(path, UriKind.Relative));
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(30), () => $"{path} answering while the servers run, last {last}");
        }
    }

    [Theory]
    [InlineData("mysql", "/notes")]
    [InlineData("redis", "/redis")]
    public async Task A_frozen_server_is_the_service_s_own_503_and_the_next_request_after_its_return_works(string server, string path)
    {
        await using (await servers.FreezeAsync(server))
        {
            for (var i = 0; i < 2; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await _client.GetAsync(new Uri(path, UriKind.Relative));
                clock.Stop();

                var text = await response.Content.ReadAsStringAsync();
                // One problem document: an answer is never written twice.
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && text.Count(c => c == '{') == 1, $"{(int)response.StatusCode}: {text}");
                Assert.Equal("service_unavailable", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
                Assert.NotNull(response.Headers.RetryAfter);
                Console.WriteLine($"edge: {server} frozen, {path} answered 503 in {clock.Elapsed.TotalMilliseconds:F0} ms");
            }
        }

        var back = Stopwatch.StartNew();
        await Poll.UntilAsync(async () => (await _client.GetAsync(new Uri(path, UriKind.Relative))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(10), () => $"{path} answering once {server} is back");
        Console.WriteLine($"edge: {path} worked {back.Elapsed.TotalMilliseconds:F0} ms after {server} was back");
    }

    public void Dispose() => _client.Dispose();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
