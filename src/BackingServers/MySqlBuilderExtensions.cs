using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Polly;
using Polly.Retry;

namespace Aspire.Hosting;

/// <summary>MySQL for the app model, as Aspire.Hosting.MySql would give it (that package is not served here).</summary>
public static class MySqlBuilderExtensions
{
    private const string DisplayName = "MySQL";
    private const string InstallHint = "apt-get install mariadb-server (or mysql-server)";

    /// <summary>
    /// A MySQL server: <c>ConnectionStrings:&lt;name&gt;</c> when set, else the official image where a container engine answers,
    /// else <c>mariadbd</c>/<c>mysqld</c> run by DCP with its data in the state folder. Its databases are created once it answers.
    /// </summary>
    public static IResourceBuilder<IMySqlServerResource> AddMySql(this IDistributedApplicationBuilder builder, string name)
    {
        var binary = ServerRuntimeChoice.FindExecutable("mariadbd", "mysqld");
        var runtime = builder.ExecutionContext.IsPublishMode
            ? ServerRuntime.Container
            : ServerRuntimeChoice.Choose(builder.Configuration, name, DisplayName, InstallHint, binary is not null);

        IResourceBuilder<IMySqlServerResource> server = runtime switch
        {
            ServerRuntime.External => builder.AddExternalServer(new ExternalMySqlServerResource(name, builder.ConnectionStringParameter(name))),
            ServerRuntime.Container => builder.AddMySqlContainer(name),
            _ => builder.AddMySqlExecutable(name, binary!),
        };

        return server
            .WithIconName("DatabaseMultiple")
            .WithMySqlHealthCheck()
            .OnResourceReady(async (resource, ready, ct) =>
            {
                // Aspire runs a database's health check once it is Running; it is, as soon as it exists.
                var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
                var connectionString = (await resource.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false))!;
                foreach (var database in builder.Resources.OfType<MySqlDatabaseResource>().Where(d => d.Parent == resource))
                {
                    try
                    {
                        await DatabaseCreation.ExecuteAsync(
                            async token => await CreateDatabaseAsync(connectionString, database.DatabaseName, token).ConfigureAwait(false), ct)
                            .ConfigureAwait(false);
                    }
                    catch (MySqlException e)
                    {
                        // Said on the database's row, not left Waiting for ever.
                        await notifications.PublishUpdateAsync(database, snapshot => snapshot with { State = KnownResourceStates.FailedToStart })
                            .ConfigureAwait(false);
                        ready.Services.GetRequiredService<ResourceLoggerService>().GetLogger(database)
                            .LogError(e, "Could not create database {Database}", database.DatabaseName);
                        continue;
                    }

                    await notifications.PublishUpdateAsync(database, snapshot => snapshot with { State = KnownResourceStates.Running })
                        .ConfigureAwait(false);
                }
            });
    }

    /// <summary>A database on the server, created when the server is ready; this name is its connection string's name.</summary>
    public static IResourceBuilder<MySqlDatabaseResource> AddDatabase(this IResourceBuilder<IMySqlServerResource> builder, string name,
        string? databaseName = null)
    {
        databaseName ??= name;
        return builder.ApplicationBuilder.AddResource(new MySqlDatabaseResource(name, databaseName, builder.Resource))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "MySqlDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, databaseName)],
            })
            .WithIconName("Database")
            .WithMySqlHealthCheck();
    }

    private static IResourceBuilder<T> WithMySqlHealthCheck<T>(this IResourceBuilder<T> builder) where T : IResourceWithConnectionString =>
        builder.WithConnectionHealthCheck((checks, key, connectionString) =>
            checks.Add(new HealthCheckRegistration(key, _ => new MySqlHealthCheck(connectionString), failureStatus: null, tags: null)));

    private static IResourceBuilder<MySqlContainerResource> AddMySqlContainer(this IDistributedApplicationBuilder builder, string name)
    {
        var password = GeneratedSecretBuilderExtensions.CreateGeneratedSecret(builder, $"{name}-password");
        var container = builder.AddResource(new MySqlContainerResource(name, password))
            .WithImage("library/mysql", "8.4")
            .WithImageRegistry("docker.io")
            .WithEndpoint(targetPort: 3306, name: MySqlContainerResource.PrimaryEndpointName)
            .WithEnvironment(context => context.EnvironmentVariables["MYSQL_ROOT_PASSWORD"] = password);
        return container.WithVolume(VolumeNameGenerator.Generate(container, "data"), "/var/lib/mysql");
    }

    private static IResourceBuilder<MySqlServerResource> AddMySqlExecutable(this IDistributedApplicationBuilder builder, string name, string binary)
    {
        var state = StateFolder.For(builder);
        var password = GeneratedSecretBuilderExtensions.CreateGeneratedSecret(builder, $"{name}-password");
        var dataFolder = state.Folder("data", name);
        var configFolder = state.Folder("config", name);
        // Not the shared /tmp: servers prepared at the same time there trip over each other's temporary tables (six
        // mariadb-install-db at once failed 5 times in 18 here, "Unknown table 'mysql.tmp_user_sys'"; 0 in 18 apart).
        var tempFolder = state.Folder("tmp", name);
        var socket = Path.Combine(state.Sockets, $"{name}.sock");
        var initFile = Path.Combine(configFolder, "init.sql");
        var server = new MySqlServerResource(name, binary, dataFolder, password);

        return builder.AddResource(server)
            .WithEndpoint(name: MySqlServerResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("--no-defaults");
                context.Args.Add($"--datadir={dataFolder}");
                context.Args.Add(ReferenceExpression.Create($"--port={server.PrimaryEndpoint.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add("--bind-address=127.0.0.1");
                context.Args.Add($"--socket={socket}");
                context.Args.Add($"--pid-file={Path.Combine(dataFolder, "server.pid")}");
                context.Args.Add($"--tmpdir={tempFolder}");
                context.Args.Add("--skip-name-resolve");
                context.Args.Add($"--init-file={initFile}");
                context.Args.Add("--character-set-server=utf8mb4");
                context.Args.Add("--collation-server=utf8mb4_unicode_ci");
                context.Args.Add("--max-connections=500");
                if (Environment.UserName == "root")
                {
                    context.Args.Add("--user=root");
                }
            })
            // The server creates its files with these masks: the owner's alone, as in a container's volume.
            .WithEnvironment("UMASK", "0600")
            .WithEnvironment("UMASK_DIR", "0700")
            .OnBeforeResourceStarted(async (resource, _, ct) =>
            {
                if (!Directory.Exists(Path.Combine(dataFolder, "mysql")))
                {
                    await InitializeDataFolderAsync(binary, dataFolder, tempFolder, ct).ConfigureAwait(false);
                }

                // Applied at every start: only the generated password opens the server, over TCP or the private socket.
                var secret = (await resource.PasswordParameter.GetValueAsync(ct).ConfigureAwait(false))!.Replace("'", "''", StringComparison.Ordinal);
                StateFolder.WritePrivateFile(initFile, $"""
                    DROP USER IF EXISTS ''@'localhost', ''@'{Environment.MachineName}', 'root'@'{Environment.MachineName}', 'root'@'::1';
                    CREATE USER IF NOT EXISTS 'root'@'localhost' IDENTIFIED BY '{secret}';
                    CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '{secret}';
                    ALTER USER 'root'@'localhost' IDENTIFIED BY '{secret}';
                    ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '{secret}';
                    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
                    FLUSH PRIVILEGES;
                    """);
            });
    }

    private static async Task InitializeDataFolderAsync(string binary, string dataFolder, string tempFolder, CancellationToken cancellationToken)
    {
        var installer = ServerRuntimeChoice.FindExecutable("mariadb-install-db", "mysql_install_db");
        var isMariaDb = Path.GetFileName(binary) == "mariadbd";
        var info = isMariaDb && installer is not null
            ? new ProcessStartInfo(installer, ["--no-defaults", $"--datadir={dataFolder}", "--auth-root-authentication-method=normal", "--skip-test-db"])
            : new ProcessStartInfo(binary, ["--no-defaults", "--initialize-insecure", $"--datadir={dataFolder}"]);
        if (Environment.UserName == "root")
        {
            info.ArgumentList.Add("--user=root");
        }

        info.Environment["UMASK"] = "0600";
        info.Environment["UMASK_DIR"] = "0700";
        // The server that the installer bootstraps takes its temporary folder from TMPDIR when no --tmpdir is given.
        info.Environment["TMPDIR"] = tempFolder;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            Directory.Delete(Path.Combine(dataFolder, "mysql"), recursive: true);
            throw new DistributedApplicationException(
                $"{Path.GetFileName(info.FileName)} could not prepare {dataFolder}: {(await errors.ConfigureAwait(false)).Trim()}");
        }
    }

    // A server that has just answered its health check may still refuse or time out a connection on a loaded machine.
    private static readonly ResiliencePipeline DatabaseCreation = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<MySqlException>(),
            MaxRetryAttempts = 10,
            Delay = TimeSpan.FromMilliseconds(500),
            BackoffType = DelayBackoffType.Exponential,
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .Build();

    private static async Task CreateDatabaseAsync(string serverConnectionString, string databaseName, CancellationToken cancellationToken)
    {
        var connection = new MySqlConnection(new MySqlConnectionStringBuilder(serverConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = $"CREATE DATABASE IF NOT EXISTS `{databaseName.Replace("`", "``", StringComparison.Ordinal)}`";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class MySqlHealthCheck(Func<string> connectionString) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connection = new MySqlConnection(new MySqlConnectionStringBuilder(connectionString()) { Pooling = false, ConnectionTimeout = 3 }.ConnectionString);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    return await connection.PingAsync(cancellationToken).ConfigureAwait(false)
                        ? HealthCheckResult.Healthy()
                        : HealthCheckResult.Unhealthy("The server did not answer a ping.");
                }
            }
            catch (MySqlException e)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        }
    }
}
