using MySqlConnector;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>The fixture's MySQL server, reached with the server-level connection string its resource gives; a database on it by name.</summary>
public sealed class MySqlServer(string serverConnectionString)
{
    public string ConnectionString(string database) =>
        new MySqlConnectionStringBuilder(serverConnectionString) { Database = database }.ConnectionString;

    public async Task<T> QueryAsync<T>(string database, string sql, Func<MySqlDataReader, T> read)
    {
        await using var connection = new MySqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        return read(reader);
    }

    /// <summary>An empty database, as the AppHost's AddDatabase leaves it before the service's first start.</summary>
    public Task CreateDatabaseAsync(string database) => ExecuteAsync("", $"CREATE DATABASE `{database}`");

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
