using MySqlConnector;
using Dedao.Testing;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>A throwaway mariadbd with its data in a temp folder, on a free loopback port.</summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ChildProcess _process;

    private MariaDbServer(string directory, int port, ChildProcess process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Server=127.0.0.1;Port={Port};User ID=root;Database={database};Pooling=false";

    public static async Task<MariaDbServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("dedao-passport-mariadb-").FullName;
        var data = Path.Combine(directory, "data");
        await ChildProcess.RunAsync("mariadb-install-db", $"--datadir={data}", "--auth-root-authentication-method=normal", "--skip-test-db");

        var port = FreePort.Next();
        var process = ChildProcess.Start("mariadbd",
        [
            "--no-defaults", $"--datadir={data}", $"--port={port}", $"--socket={Path.Combine(directory, "s.sock")}",
            $"--pid-file={Path.Combine(directory, "mariadbd.pid")}", "--user=root", "--bind-address=127.0.0.1", "--skip-name-resolve",
        ]);
        var server = new MariaDbServer(directory, port, process);
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={port};User ID=root;Pooling=false;Connection Timeout=2");
                    await connection.OpenAsync();
                    return true;
                },
                TimeSpan.FromSeconds(60),
                () => $"mariadbd on port {port} accepting connections\n{process.Output}",
                () => process.HasExited ? "mariadbd exited" : null);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async Task<T> QueryAsync<T>(string database, string sql, Func<MySqlDataReader, T> read)
    {
        await using var connection = new MySqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        return read(reader);
    }

    /// <summary>An empty database, as the AppHost's AddDatabase leaves it before the service's first start.</summary>
    public async Task CreateDatabaseAsync(string database)
    {
        await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={Port};User ID=root;Pooling=false");
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"CREATE DATABASE `{database}`", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
