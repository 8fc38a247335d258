using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dedao.Testing;
using MySqlConnector;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Dedao.Hosting.Tests;

/// <summary>A second run opens the first run's data with the same passwords, and a stop leaves no server behind.</summary>
[SupportedOSPlatform("linux")]
public sealed partial class LifecycleTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly string _stateFolder = Directory.CreateTempSubdirectory("dedao-lifecycle-").FullName;

    /// <summary>The state folder's sockets live apart, in a short path of their own, and a kept state folder keeps them.</summary>
    private string? _sockets;

    [Fact]
    public async Task Data_and_passwords_survive_a_restart_and_each_stop_leaves_no_process_behind()
    {
        var first = await RunAsync(async (app, connections) =>
        {
            await using var mysql = new MySqlConnection(connections["keepdb"]);
            await mysql.OpenAsync();
            await new MySqlCommand("CREATE TABLE kept (id INT PRIMARY KEY); INSERT INTO kept VALUES (42);", mysql).ExecuteNonQueryAsync();

            await using var redis = await ConnectionMultiplexer.ConnectAsync(connections["redis"]);
            await redis.GetDatabase().StringSetAsync("kept", "yes");

            await using var broker = await new ConnectionFactory { Uri = new Uri(connections["messaging"]) }.CreateConnectionAsync();
            await using var channel = await broker.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true));
            await channel.QueueDeclareAsync("kept", durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", "kept", mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("yes"));
        });

        var second = await RunAsync(async (app, connections) =>
        {
            await using var mysql = new MySqlConnection(connections["keepdb"]);
            await mysql.OpenAsync();
            Assert.Equal(42, Convert.ToInt32(await new MySqlCommand("SELECT id FROM kept", mysql).ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));

            await using var redis = await ConnectionMultiplexer.ConnectAsync(connections["redis"]);
            Assert.Equal("yes", (string?)await redis.GetDatabase().StringGetAsync("kept"));

            await using var broker = await new ConnectionFactory { Uri = new Uri(connections["messaging"]) }.CreateConnectionAsync();
            await using var channel = await broker.CreateChannelAsync();
            var message = await channel.BasicGetAsync("kept", autoAck: true);
            Assert.Equal("yes", Encoding.UTF8.GetString(Assert.IsType<BasicGetResult>(message).Body.Span));
        });

        foreach (var name in new[] { "mysql", "redis", "messaging" })
        {
            Assert.Equal(WithoutPort(first[name]), WithoutPort(second[name]));
        }
    }

    [Fact]
    public async Task An_ephemeral_state_folder_is_deleted_when_the_app_stops()
    {
        var builder = TestAppModel.CreateEmpty("--AppHost:Runtime=executable");
        var state = StateFolder.For(builder);
        var sockets = state.Sockets;
        builder.AddRedisServer("redis");
        await using (var app = builder.Build())
        {
            await app.StartAsync();
            using var timeout = new CancellationTokenSource(StartTimeout);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("redis", timeout.Token);
            Assert.True(Directory.Exists(Path.Combine(state.Root, "data", "redis")));
        }

        Assert.True(state.IsEphemeral);
        await Poll.UntilAsync(() => !Directory.Exists(state.Root) && !Directory.Exists(sockets), TimeSpan.FromSeconds(10),
            () => $"{state.Root} or {sockets} is still there");
    }

    /// <summary>Starts the three servers on the test's state folder, runs <paramref name="use"/>, stops, and checks nothing is left.</summary>
    private async Task<Dictionary<string, string>> RunAsync(Func<DistributedApplication, Dictionary<string, string>, Task> use)
    {
        var builder = TestAppModel.CreateEmpty("--AppHost:Runtime=executable", "--AppHost:Ephemeral=false", $"--AppHost:StateFolder={_stateFolder}");
        _sockets = StateFolder.For(builder).Sockets;
        builder.AddMySql("mysql").AddDatabase("keepdb");
        builder.AddRedisServer("redis");
        builder.AddRabbitMQServer("messaging");
        var processes = new List<LinuxProcess>();
        var listeners = new List<string>();
        var connections = new Dictionary<string, string>();
        await using (var app = builder.Build())
        {
            await app.StartAsync();
            using var timeout = new CancellationTokenSource(StartTimeout);
            foreach (var name in new[] { "keepdb", "redis", "messaging" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
            }

            foreach (var name in new[] { "mysql", "keepdb", "redis", "messaging" })
            {
                connections[name] = (await app.GetConnectionStringAsync(name))!;
            }

            foreach (var server in ExecutableServersFixture.Servers)
            {
                var pid = await ServerProcesses.PidAsync(app, server);
                processes.AddRange(ServerProcesses.Tree(pid));
                // A daemon that left the process tree would still hold a port of ours.
                listeners.AddRange(await ServerProcesses.ListenersAsync(pid));
            }

            await use(app, connections);
        }

        await Poll.UntilAsync(() => !processes.Any(p => p.IsAlive()), TimeSpan.FromSeconds(20),
            () => $"still running after the stop: {string.Join(", ", processes.Where(p => p.IsAlive()))}");
        var (_, stillListening) = await ServerProcesses.RunAsync("ss", "-Hltn");
        Assert.DoesNotContain(listeners, address => stillListening.Contains($" {address} ", StringComparison.Ordinal));
        return connections;
    }

    /// <summary>A connection string less its port, which Aspire allocates anew at every start.</summary>
    private static string WithoutPort(string connectionString) => PortPattern().Replace(connectionString, "");

    [GeneratedRegex(@"(?<=(localhost:|Port=))\d+")]
    private static partial Regex PortPattern();

    public void Dispose()
    {
        foreach (var folder in new[] { _stateFolder, _sockets }.OfType<string>().Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
