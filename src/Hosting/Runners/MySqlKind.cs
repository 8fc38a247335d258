using Dedao.Hosting.Orchestration;
using MySqlConnector;

namespace Dedao.Hosting.Runners;

internal sealed class MySqlKind : ServerKind
{
    public override string DisplayName => "MySQL";

    public override string InstallHint => "apt-get install mariadb-server (or mysql-server)";

    public override string ContainerImage => "docker.io/library/mysql:8.4";

    public override int ContainerPort => 3306;

    public override string ContainerDataPath => "/var/lib/mysql";

    public override IReadOnlyDictionary<string, string> ContainerEnvironment(ServerResource server) =>
        new Dictionary<string, string> { ["MYSQL_ROOT_PASSWORD"] = server.Password.Value };

    public override string? FindExecutable(string? searchPath) => OnPath(searchPath, "mariadbd", "mysqld");

    public override async Task<ProcessSpec> PrepareExecutableAsync(ServerResource server, string executable,
        StateFolder state, PortAllocator ports, CancellationToken cancellationToken)
    {
        var dataDir = state.DataFolder(server.Name, server.HasDataVolume);
        var isMariaDb = Path.GetFileName(executable) == "mariadbd";
        if (!Directory.Exists(Path.Combine(dataDir, "mysql")))
        {
            await InitializeAsync(executable, isMariaDb, dataDir, cancellationToken);
        }

        // Applied at every start, so the generated password always matches the one in the state folder.
        var password = server.Password.Value.Replace("'", "''", StringComparison.Ordinal);
        var initFile = state.WritePrivateFile(server.Name, "init.sql", $"""
            CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '{password}';
            ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '{password}';
            GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
            FLUSH PRIVILEGES;
            """);

        List<string> args =
        [
            "--no-defaults", $"--datadir={dataDir}", $"--port={server.Port}", "--bind-address=127.0.0.1",
            $"--socket={Path.Combine(Path.GetTempPath(), $"dedao-{state.Id}-{server.Name}.sock")}",
            $"--pid-file={Path.Combine(dataDir, "server.pid")}", "--skip-name-resolve", $"--init-file={initFile}",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci", "--max-connections=500",
        ];
        if (Environment.UserName == "root")
        {
            args.Add("--user=root");
        }

        return new ProcessSpec(executable, args, dataDir);
    }

    private static async Task InitializeAsync(string executable, bool isMariaDb, string dataDir, CancellationToken cancellationToken)
    {
        var installer = OnPath(Environment.GetEnvironmentVariable("PATH"), "mariadb-install-db", "mysql_install_db");
        var (file, args) = isMariaDb && installer is not null
            ? (installer, new[] { "--no-defaults", $"--datadir={dataDir}", "--auth-root-authentication-method=normal", "--skip-test-db" }
                .Concat(Environment.UserName == "root" ? ["--user=root"] : Array.Empty<string>()).ToArray())
            : (executable, ["--no-defaults", "--initialize-insecure", $"--datadir={dataDir}"]);
        var info = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            Directory.Delete(dataDir, recursive: true);
            throw new DistributedApplicationException(
                $"{Path.GetFileName(file)} could not prepare {dataDir}: {(await output).Trim()}");
        }
    }

    public override async Task ProbeAsync(ServerResource server, CancellationToken cancellationToken)
    {
        var builder = new MySqlConnectionStringBuilder(server.GetConnectionString())
        {
            ConnectionTimeout = 2,
            Pooling = false,
        };
        await using var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Aspire's AddDatabase creates the database; so does this engine, once the server answers.</summary>
    public static async Task CreateDatabaseAsync(MySqlDatabaseResource database, CancellationToken cancellationToken)
    {
        var builder = new MySqlConnectionStringBuilder(database.Server.GetConnectionString()) { Pooling = false };
        await using var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE IF NOT EXISTS `{database.DatabaseName.Replace("`", "``", StringComparison.Ordinal)}`";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
