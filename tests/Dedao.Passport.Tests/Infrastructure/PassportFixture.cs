using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>One MySQL and one Redis (the AppHost's own resources) and one passport, shared by the tests of the collection.</summary>
public sealed class PassportFixture : IAsyncLifetime
{
    public const string Database = "passport";
    public const string AdminPhone = "19900000000";
    public const string AdminPassword = "admin password for tests";

    /// <summary>The public address every passport of these tests is told it is reached at.</summary>
    public const string PublicUrl = "https://dedao.example";
    public const string Issuer = PublicUrl + "/api/v1/passport";

    /// <summary>The one service the shared passport gives a token of its own (client credentials).</summary>
    public const string ServiceClientId = "column";
    public const string ServiceClientSecret = "column's client secret for tests";

    private const string MySqlResource = "mysql";
    private const string RedisResource = "redis";

    private RunningServers? _servers;
    private PassportProcess? _passport;

    public MySqlServer MySql => new(Servers.ConnectionStrings[MySqlResource]);

    public string RedisConnectionString => Servers.ConnectionStrings[RedisResource];

    public PassportProcess Passport => _passport ?? throw new InvalidOperationException("Not started.");

    private RunningServers Servers => _servers ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var builder = TestAppModel.CreateEmpty();
        builder.AddMySql(MySqlResource);
        builder.AddRedisServer(RedisResource);
        _servers = await RunningServers.StartAsync(builder, MySqlResource, RedisResource);
        _passport = await StartPassportAsync(Database, new Dictionary<string, string>
        {
            ["Parameters__admin-phone"] = AdminPhone,
            ["Parameters__admin-password"] = AdminPassword,
            [$"Passport__Clients__{ServiceClientId}"] = ServiceClientSecret,
        });
    }

    /// <summary>Another passport on a database of its own, for tests about start-up and keys.</summary>
    public Task<PassportProcess> StartPassportAsync(string database, IDictionary<string, string>? settings = null, int? port = null) =>
        PassportProcess.StartAsync(MySql.ConnectionString(database), RedisConnectionString, settings, port);

    public PassportClient CreateClient(string? clientAddress = null) => new(Passport.CreateClient(clientAddress));

    public async Task DisposeAsync()
    {
        if (_passport is not null)
        {
            await _passport.DisposeAsync();
        }

        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PassportCollection : ICollectionFixture<PassportFixture>
{
    public const string Name = "passport";
}
