namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>One MariaDB, one Redis and one passport shared by the tests of the collection.</summary>
public sealed class PassportFixture : IAsyncLifetime
{
    public const string Database = "passport";
    public const string AdminPhone = "19900000000";
    public const string AdminPassword = "admin password for tests";

    /// <summary>The public address every passport of these tests is told it is reached at.</summary>
    public const string PublicUrl = "https://dedao.example";
    public const string Issuer = PublicUrl + "/api/v1/passport";

    private MariaDbServer? _mariaDb;
    private RedisServer? _redis;
    private PassportProcess? _passport;

    public MariaDbServer MariaDb => _mariaDb ?? throw new InvalidOperationException("Not started.");
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("Not started.");
    public PassportProcess Passport => _passport ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var mariaDb = MariaDbServer.StartAsync();
        var redis = RedisServer.StartAsync();
        _mariaDb = await mariaDb;
        _redis = await redis;
        _passport = await StartPassportAsync(Database, new Dictionary<string, string>
        {
            ["Parameters__admin-phone"] = AdminPhone,
            ["Parameters__admin-password"] = AdminPassword,
        });
    }

    /// <summary>Another passport on a database of its own, for tests about start-up and keys.</summary>
    public Task<PassportProcess> StartPassportAsync(string database, IDictionary<string, string>? settings = null, int? port = null) =>
        PassportProcess.StartAsync(MariaDb.ConnectionString(database), Redis.ConnectionString, settings, port);

    public PassportClient CreateClient(string? clientAddress = null) => new(Passport.CreateClient(clientAddress));

    public async Task DisposeAsync()
    {
        if (_passport is not null)
        {
            await _passport.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_mariaDb is not null)
        {
            await _mariaDb.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PassportCollection : ICollectionFixture<PassportFixture>
{
    public const string Name = "passport";
}
