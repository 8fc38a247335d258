using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Dedao.ServiceDefaults.Apis;
using Dedao.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MySqlConnector;

namespace Dedao.ServiceDefaults.Tests;

/// <summary><c>RequireIdempotencyKey</c> on a real MySQL database: what a repeat of a request gets.</summary>
[Collection(BackingServers.Name)]
public sealed class IdempotencyTests(BackingServersFixture servers) : IAsyncLifetime, IDisposable
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private HttpClient _client = null!;
    private int _stamped;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        // Collected, so a test can tell that nothing went wrong where nothing should have.
        builder.Logging.ClearProviders().AddFakeLogging();
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // A database of its own: EnsureCreated does nothing where another test's tables already are.
        var database = new MySqlConnectionStringBuilder(servers.ConnectionString("testdb")) { Database = $"idempotency_{Guid.NewGuid():N}" };
        builder.Configuration["ConnectionStrings:receipts"] = database.ConnectionString;
        builder.AddMySqlDbContext<ReceiptsContext>("receipts", settings => settings.CommandTimeout = 30);
        builder.Services.AddIdempotency<ReceiptsContext>();
        _app = builder.Build();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ReceiptsContext>().Database.EnsureCreatedAsync();
        }

        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString())], "test"));
        _app.Use((http, next) =>
        {
            http.User = user;
            return next(http);
        });
        // Work that outlives its caller's patience: it goes on after the caller has hung up, as a database write does.
        _app.MapPost("/receipts", async (Receipt receipt, HttpContext http) =>
        {
            _started.TrySetResult();
            await Task.WhenAny(Task.Delay(Timeout.Infinite, http.RequestAborted), Task.Delay(TimeSpan.FromSeconds(30)));
            return TypedResults.Created("/receipts/7", new { id = 7, receipt.Text });
        }).RequireIdempotencyKey<Receipt>();
        _app.MapPost("/stamps", (Receipt receipt) =>
        {
            var number = Interlocked.Increment(ref _stamped);
            return TypedResults.Created($"/stamps/{number}", new { number, receipt.Text });
        }).RequireIdempotencyKey<Receipt>();
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    [Fact]
    public async Task A_repeat_after_the_first_caller_hung_up_gets_the_whole_first_answer()
    {
        const string Key = "receipt-1";
        using (var hangUp = new CancellationTokenSource())
        {
            var first = SendAsync(Key, hangUp.Token);
            await _started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await hangUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        }

        using var repeat = await Resend.UntilServedAsync(() => SendAsync(Key, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("/receipts/7", repeat.Headers.Location?.ToString());
        var body = await HttpAssert.JsonAsync(repeat, HttpStatusCode.Created);
        Assert.Equal(7, body.GetProperty("id").GetInt32());
        Assert.Equal("收据", body.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Twenty_concurrent_requests_with_one_key_run_once_and_log_no_error()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendAsync("stamp-1", CancellationToken.None, "/stamps")));
        try
        {
            Assert.All(responses, response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));
            Assert.Equal(1, _stamped);
            Assert.Single(responses, response => !response.Headers.Contains("Idempotent-Replayed"));
            Assert.All(responses, response => Assert.Equal("/stamps/1", response.Headers.Location?.ToString()));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        // The repeats' claims collide with the first's row by design; that is no error of anyone's.
        var errors = _app!.Services.GetFakeLogCollector().GetSnapshot().Where(entry => entry.Level >= LogLevel.Error);
        Assert.Empty(errors.Select(entry => $"{entry.Category}: {entry.Message}"));
    }

    private Task<HttpResponseMessage> SendAsync(string key, CancellationToken cancellationToken, string path = "/receipts")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new Receipt("收据")) };
        request.Headers.Add("Idempotency-Key", key);
        return _client.SendAsync(request, cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await using (var scope = _app.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<ReceiptsContext>().Database.EnsureDeletedAsync();
            }

            await _app.DisposeAsync();
        }
    }

    public sealed record Receipt(string Text);

    public sealed class ReceiptsContext(DbContextOptions<ReceiptsContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddIdempotencyTable();
    }
}
