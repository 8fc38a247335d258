using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using MySqlConnector;

namespace Dedao.Content.Tests;

/// <summary>
/// The whole platform, booted once for the project with fresh state and free ports. Tests talk to column, course and
/// comment through the gateway; readers are registered at passport directly, which is setup here, not what is tested.
/// </summary>
public sealed class ContentFixture : IAsyncLifetime
{
    public const string AdminPhone = "13800000000";
    private const string AdminPassword = "content tests admin password";

    /// <summary>The client secrets the AppHost would otherwise generate, so a test can call an internal route as a service.</summary>
    private static readonly string[] ContentServices = ["column", "course", "comment"];

    private static string ClientSecret(string service) => $"{service} client secret for content tests";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private DistributedApplication? _app;
    private HttpClient Passport { get; set; } = null!;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>
    /// A plain client on the gateway's endpoint: no retries, so a 503 or a 429 is seen as it is, and a POST is sent once.
    /// </summary>
    public HttpClient Gateway { get; private set; } = null!;

    public string AdminToken { get; private set; } = null!;

    /// <summary>Publishes to the platform's bus as order would, and listens to what column, course and comment publish.</summary>
    public EventBusProbe Bus { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await TestAppModel.CreatePlatformAsync([
            $"--Parameters:admin-password={AdminPassword}",
            .. ContentServices.Select(service => $"--Parameters:{service}-client-secret={ClientSecret(service)}"),
        ]);
        _app = await builder.BuildAsync();
        await _app.StartAsync();
        await ResourceHealth.WaitForAllHealthyAsync(_app, StartTimeout);
        Gateway = new HttpClient { BaseAddress = _app.GetEndpoint("gateway", "http") };
        Passport = new HttpClient { BaseAddress = _app.GetEndpoint("passport", "http") };
        AdminToken = await Readers.LogInAsync(Passport, AdminPhone, AdminPassword);
        Bus = await EventBusProbe.ConnectAsync((await _app.GetConnectionStringAsync("messaging"))!);
        await WarmUpAsync();
    }

    /// <summary>The named content service's own token, as it gets one from passport for the calls it makes on nobody's behalf.</summary>
    public Task<string> ServiceTokenAsync(string service) => ServiceCredentials.TokenAsync(Passport, service, ClientSecret(service));

    /// <summary>A new reader, signed in.</summary>
    public Task<SignedInReader> SignUpAsync(string nickname = "读者") => Readers.SignUpAsync(Passport, nickname);

    /// <summary>
    /// A cold service's first signed-in query (JIT, key fetch, EF query compilation) comes close to the gateway's 2 s;
    /// like a deployment's warm-up probe, one signed-in request per service (or the ones named), directly.
    /// </summary>
    public async Task WarmUpAsync(params string[] services)
    {
        var reader = await SignUpAsync();
        // Writing a comment asks passport and column on top of its own query: its first one is the slowest of all.
        (string Service, HttpMethod Method, string Path, object? Body)[] calls =
        [
            // Twice each: column runs as two replicas behind DCP's round-robin proxy, and each has its own first query.
            ("column", HttpMethod.Get, "/api/v1/columns/1", null), ("column", HttpMethod.Get, "/api/v1/columns/1", null),
            ("column", HttpMethod.Get, "/api/v2/columns/1", null), ("column", HttpMethod.Get, "/api/v2/columns/1", null),
            ("column", HttpMethod.Get, "/api/v1/columns?limit=7", null), ("column", HttpMethod.Get, "/api/v1/columns?limit=7", null),
            ("course", HttpMethod.Get, "/api/v1/courses/1", null), ("course", HttpMethod.Get, "/api/v1/courses/1/progress", null),
            ("comment", HttpMethod.Get, "/api/v1/comments/mine", null),
            ("comment", HttpMethod.Post, "/api/v1/comments", new { targetType = "article", targetId = 1, content = "warm-up" }),
        ];
        foreach (var (service, method, path, body) in calls.Where(call => services.Length == 0 || services.Contains(call.Service)))
        {
            using var client = new HttpClient { BaseAddress = App.GetEndpoint(service, "http") };
            using var response = await Http.SendAsync(client, method, path, reader.Token, body);
        }
    }

    /// <summary>One number from a service's own database: for what no API shows, such as its outbox and inbox.</summary>
    public async Task<long> CountAsync(string database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new MySqlConnection(await App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What the cache's servers were asked for: Redis's GET and MGET calls, and the rows <paramref name="tables"/> of
    /// <paramref name="database"/> gave to reads (MariaDB's user statistics, switched on by the first call). Equal before
    /// and after some requests: they read neither.
    /// </summary>
    public async Task<(string RedisReads, long RowsRead)> ReadServerCountersAsync(string database, params string[] tables)
    {
        var reads = await RedisCommandStats.ReadsAsync((await App.GetConnectionStringAsync("redis"))!);

        await using var connection = new MySqlConnection(await App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await new MySqlCommand("SET GLOBAL userstat = 1", connection).ExecuteNonQueryAsync();
        await using var command = new MySqlCommand(
            $"SELECT COALESCE(SUM(ROWS_READ), 0) FROM information_schema.TABLE_STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ({string.Join(',', tables.Select((_, i) => $"@t{i}"))})",
            connection);
        for (var i = 0; i < tables.Length; i++)
        {
            command.Parameters.AddWithValue($"@t{i}", tables[i]);
        }

        return (reads, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task DisposeAsync()
    {
        if (Bus is not null)
        {
            await Bus.DisposeAsync();
        }

        Gateway?.Dispose();
        Passport?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class Content : ICollectionFixture<ContentFixture>
{
    public const string Name = "content";
}
