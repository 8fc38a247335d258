using Dedao.Hosting.Testing;
using MySqlConnector;

namespace Dedao.Hosting.Tests;

public sealed class StatePersistenceTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_second_run_keeps_the_data_and_the_generated_password_of_the_first()
    {
        var state = Directory.CreateTempSubdirectory("dedao-state-").FullName;
        string[] args = ["--AppHost:Ephemeral=false", $"--AppHost:StateFolder={state}"];
        var marker = Guid.NewGuid().ToString("N");

        var first = await StartAsync(args);
        var firstConnection = first.GetConnectionString("shopdb");
        await ExecuteAsync(firstConnection, $"CREATE TABLE notes (text VARCHAR(64)); INSERT INTO notes VALUES ('{marker}')");
        await first.DisposeAsync();

        await using var second = await StartAsync(args);
        var secondConnection = second.GetConnectionString("shopdb");
        var password = new MySqlConnectionStringBuilder(firstConnection).Password;

        Assert.Equal(password, new MySqlConnectionStringBuilder(secondConnection).Password);
        Assert.Equal(marker, await ExecuteAsync(secondConnection, "SELECT text FROM notes"));
        // Files that hold the password (generated secrets, server configuration) are readable by their owner only.
        var holders = Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/data/", StringComparison.Ordinal) && File.ReadAllText(f).Contains(password, StringComparison.Ordinal))
            .ToList();
        Assert.Contains(holders, f => f.EndsWith("secrets.json", StringComparison.Ordinal));
        Assert.All(holders, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));

        await second.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }

    private static async Task<DistributedApplication> StartAsync(string[] args)
    {
        var builder = DistributedApplicationTestingBuilder.Create(args);
        builder.AddMySql("mysql").WithDataVolume().AddDatabase("shopdb");
        var app = builder.Build();
        await app.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.ResourceNotifications.WaitForResourceHealthyAsync("shopdb", timeout.Token);
        return app;
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
