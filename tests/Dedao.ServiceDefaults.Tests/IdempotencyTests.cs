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
using Microsoft.Extensions.Time.Testing;
using MySqlConnector;

namespace Dedao.ServiceDefaults.Tests;

/// <summary><c>RequireIdempotencyKey</c> on a real MySQL database: what a repeat of a request gets.</summary>
[Collection(BackingServers.Name)]
public sealed class IdempotencyTests(BackingServersFixture servers) : IAsyncLifetime, IDisposable
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private HttpClient _client = null!;
    private string _database = "";
    private int _stamped;

    public async Task InitializeAsync()
    {
        _app = await StartAppAsync(TimeProvider.System);
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    /// <param name="time">The clock of the store and its pruner; a fake one stops the waits for a first answer too.</param>
    /// <param name="commandTimeoutSeconds">The services' own is 1 s; longer here, where a loaded CI machine is no fault.</param>
    private async Task<WebApplication> StartAppAsync(TimeProvider time, int commandTimeoutSeconds = 30)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        // Collected, so a test can tell that nothing went wrong where nothing should have.
        builder.Logging.ClearProviders().AddFakeLogging();
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // A database of its own: EnsureCreated does nothing where another test's tables already are.
        var database = new MySqlConnectionStringBuilder(servers.ConnectionString("testdb")) { Database = $"idempotency_{Guid.NewGuid():N}" };
        builder.Configuration["ConnectionStrings:receipts"] = _database = database.ConnectionString;
        builder.AddMySqlDbContext<ReceiptsContext>("receipts", settings => settings.CommandTimeout = commandTimeoutSeconds);
        builder.Services.AddSingleton(time);
        builder.Services.AddIdempotency<ReceiptsContext>();
        var app = builder.Build();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ReceiptsContext>().Database.EnsureCreatedPatientlyAsync();
        }

        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString())], "test"));
        app.Use((http, next) =>
        {
            http.User = user;
            return next(http);
        });
        // Work that outlives its caller's patience: it goes on after the caller has hung up, as a database write does.
        app.MapPost("/receipts", async (Receipt receipt, HttpContext http) =>
        {
            _started.TrySetResult();
            await Task.WhenAny(Task.Delay(Timeout.Infinite, http.RequestAborted), Task.Delay(TimeSpan.FromSeconds(30)));
            return TypedResults.Created("/receipts/7", new { id = 7, receipt.Text });
        }).RequireIdempotencyKey<Receipt>();
        app.MapPost("/stamps", (Receipt receipt) =>
        {
            var number = Interlocked.Increment(ref _stamped);
            return TypedResults.Created($"/stamps/{number}", new { number, receipt.Text });
        }).RequireIdempotencyKey<Receipt>();
        // Work saved in the service's database, and then an answer that never comes, as from a process that died: the first
        // call saves before it stops (save-then-die) or stops before it saves (die-then-save); later calls answer at once.
        app.MapPost("/filings", async (Receipt receipt, ReceiptsContext db) =>
        {
            var first = Interlocked.Increment(ref _stamped) == 1;
            if (first && receipt.Text == "die-then-save")
            {
                _started.TrySetResult();
                await _release.Task;
            }

            db.Filings.Add(new Filing { Text = receipt.Text });
            await db.SaveChangesAsync();
            if (first && receipt.Text == "save-then-die")
            {
                _started.TrySetResult();
                await _release.Task;
            }

            return TypedResults.Created($"/filings/{receipt.Text}", new { receipt.Text });
        }).RequireIdempotencyKey<Receipt>();
        // A stamp made once the test says so: it can take hold of the request's claim in between.
        app.MapPost("/held-stamps", async (Receipt receipt) =>
        {
            _started.TrySetResult();
            await _release.Task;
            var number = Interlocked.Increment(ref _stamped);
            return TypedResults.Created($"/stamps/{number}", new { number, receipt.Text });
        }).RequireIdempotencyKey<Receipt>();
        await app.StartAsync();
        return app;
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

    [Fact]
    public async Task Keys_that_differ_only_in_case_are_two_keys()
    {
        using var upper = await SendAsync("Stamp-Case", CancellationToken.None, "/stamps");
        using var lower = await SendAsync("stamp-case", CancellationToken.None, "/stamps");

        Assert.Equal("/stamps/1", (await Created(upper)).Headers.Location?.ToString());
        Assert.Equal("/stamps/2", (await Created(lower)).Headers.Location?.ToString());
        Assert.False(lower.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task An_answer_is_kept_for_a_day_and_then_its_key_is_free_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = await StartAppAsync(time);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using var first = await SendAsync("stamp-day", CancellationToken.None, "/stamps", client);
            await Created(first);

            time.Advance(TimeSpan.FromHours(23));
            using (var repeat = await SendAsync("stamp-day", CancellationToken.None, "/stamps", client))
            {
                Assert.Equal("true", (await Created(repeat)).Headers.GetValues("Idempotent-Replayed").Single());
            }

            // Past the day, and past the pruner's next round.
            time.Advance(TimeSpan.FromHours(2));
            await Poll.UntilAsync(async () =>
            {
                using var later = await SendAsync("stamp-day", CancellationToken.None, "/stamps", client);
                return !(await Created(later)).Headers.Contains("Idempotent-Replayed");
            }, TimeSpan.FromSeconds(30), () => "the day-old answer to be forgotten");
            Assert.Equal(2, _stamped);
        }
        finally
        {
            await StopAppAsync(app);
        }
    }

    [Fact]
    public async Task The_answer_of_done_work_is_kept_when_the_database_fails_its_first_write()
    {
        var app = await StartAppAsync(TimeProvider.System, commandTimeoutSeconds: 1);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var first = SendAsync("held-1", CancellationToken.None, "/held-stamps", client);
            await _started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await using (await LockClaimAsync("held-1"))
            {
                _release.SetResult();
                // The first write of the answer waits on the lock until its command times out, as on a stalled server;
                // the lock goes once another write waits.
                await AnswerWriteWaitingAsync(except: await AnswerWriteWaitingAsync(except: null));
            }

            using var response = await first;
            Assert.Equal("/stamps/1", (await Created(response)).Headers.Location?.ToString());
            using var repeat = await SendAsync("held-1", CancellationToken.None, "/held-stamps", client);
            Assert.Equal("true", (await Created(repeat)).Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal("/stamps/1", repeat.Headers.Location?.ToString());
            Assert.Equal(1, _stamped);
        }
        finally
        {
            await StopAppAsync(app);
        }
    }

    [Fact]
    public async Task Done_work_whose_answer_cannot_be_kept_is_answered_all_the_same_and_logged()
    {
        var app = await StartAppAsync(TimeProvider.System, commandTimeoutSeconds: 1);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var first = SendAsync("held-2", CancellationToken.None, "/held-stamps", client);
            await _started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            HttpResponseMessage response;
            await using (await LockClaimAsync("held-2"))
            {
                _release.SetResult();
                // Every write of the answer times out on the lock.
                response = await first.WaitAsync(TimeSpan.FromSeconds(60));
            }

            using (response)
            {
                Assert.Equal("/stamps/1", (await Created(response)).Headers.Location?.ToString());
            }

            var lost = app.Services.GetFakeLogCollector().GetSnapshot()
                .Where(entry => entry.Level == LogLevel.Error && entry.Category == "Dedao.ServiceDefaults.Apis.IdempotencyStore");
            Assert.Contains(lost, entry => entry.Message.StartsWith("The answer to idempotent request", StringComparison.Ordinal));
        }
        finally
        {
            await StopAppAsync(app);
        }
    }

    [Fact]
    public async Task A_first_request_that_died_after_its_work_was_saved_is_not_run_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = await StartAppAsync(time);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var first = SendAsync("filing-1", CancellationToken.None, "/filings", client, "save-then-die");
            await _started.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // Long past the time after which a claim without an answer is taken to be its dead process's.
            time.Advance(TimeSpan.FromMinutes(2));
            using (var repeat = await SendAsync("filing-1", CancellationToken.None, "/filings", client, "save-then-die"))
            {
                await HttpAssert.ProblemAsync(repeat, HttpStatusCode.Conflict, "idempotency_answer_lost");
            }

            Assert.Equal(1, await FilingsAsync(app));
            // An operator learns of it from the log, not only the client from its 409.
            Assert.Contains(app.Services.GetFakeLogCollector().GetSnapshot(), entry =>
                entry.Level == LogLevel.Warning && entry.Message.Contains("a repeat is told its answer was lost", StringComparison.Ordinal));
            _release.SetResult();
            (await first).Dispose();
        }
        finally
        {
            await StopAppAsync(app);
        }
    }

    [Fact]
    public async Task A_first_request_whose_claim_was_taken_over_cannot_save_its_work()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = await StartAppAsync(time);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var first = SendAsync("filing-2", CancellationToken.None, "/filings", client, "die-then-save");
            await _started.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // Nothing was saved under the claim, so a repeat past its time takes it over and does the work.
            time.Advance(TimeSpan.FromMinutes(2));
            using (var repeat = await SendAsync("filing-2", CancellationToken.None, "/filings", client, "die-then-save"))
            {
                await Created(repeat);
            }

            Assert.Contains(app.Services.GetFakeLogCollector().GetSnapshot(), entry =>
                entry.Level == LogLevel.Warning && entry.Message.Contains("a repeat takes it over", StringComparison.Ordinal));

            // The first one, still alive after all, finds its claim gone and its save rolled back.
            _release.SetResult();
            using (var late = await first)
            {
                Assert.Equal(HttpStatusCode.InternalServerError, late.StatusCode);
            }

            Assert.Equal(1, await FilingsAsync(app));
        }
        finally
        {
            await StopAppAsync(app);
        }
    }

    private static async Task<int> FilingsAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReceiptsContext>().Filings.CountAsync();
    }

    /// <summary>A transaction of another connection holding the claim's row, as a stalled server would hold its writes.</summary>
    /// <returns>The connection: closing it lets go.</returns>
    private async Task<MySqlConnection> LockClaimAsync(string key)
    {
        var connection = new MySqlConnection(_database);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new MySqlCommand("SELECT Id FROM idempotent_requests WHERE `Key` = @key FOR UPDATE", connection, transaction);
        command.Parameters.AddWithValue("@key", key);
        Assert.NotNull(await command.ExecuteScalarAsync());
        return connection;
    }

    /// <summary>Waits for a write of an answer to wait on a lock, in an InnoDB transaction other than <paramref name="except"/>; returns its id.</summary>
    private async Task<string?> AnswerWriteWaitingAsync(string? except)
    {
        string? waiting = null;
        await Poll.UntilAsync(async () =>
        {
            await using var connection = new MySqlConnection(_database);
            await connection.OpenAsync();
            await using var command = new MySqlCommand("""
                SELECT t.trx_id FROM information_schema.INNODB_TRX t
                JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
                WHERE t.trx_state = 'LOCK WAIT' AND t.trx_query LIKE '%UPDATE idempotent_requests%' AND p.DB = DATABASE()
                """, connection);
            waiting = (await command.ExecuteScalarAsync())?.ToString();
            return waiting is not null && waiting != except;
        }, TimeSpan.FromSeconds(30), () => "a write of an answer waiting on the claim's lock");
        return waiting;
    }

    private static async Task<HttpResponseMessage> Created(HttpResponseMessage response)
    {
        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        return response;
    }

    private Task<HttpResponseMessage> SendAsync(string key, CancellationToken cancellationToken, string path = "/receipts",
        HttpClient? client = null, string text = "收据")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new Receipt(text)) };
        request.Headers.Add("Idempotency-Key", key);
        return (client ?? _client).SendAsync(request, cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await StopAppAsync(_app);
        }
    }

    private static async Task StopAppAsync(WebApplication app)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ReceiptsContext>().Database.EnsureDeletedAsync();
        }

        await app.DisposeAsync();
    }

    public sealed record Receipt(string Text);

    public sealed class Filing
    {
        public long Id { get; set; }
        public required string Text { get; set; }
    }

    public sealed class ReceiptsContext(DbContextOptions<ReceiptsContext> options) : DbContext(options)
    {
        public DbSet<Filing> Filings => Set<Filing>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddIdempotencyTable();
    }
}
