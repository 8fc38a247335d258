using System.Diagnostics;
using System.Globalization;
using Dedao.Hosting.Orchestration;
using RabbitMQ.Client;

namespace Dedao.Hosting.Runners;

internal sealed class RabbitMQKind : ServerKind
{
    public override string DisplayName => "RabbitMQ";

    public override string InstallHint => "apt-get install rabbitmq-server";

    public override string ContainerImage => "docker.io/library/rabbitmq:4.1";

    public override int ContainerPort => 5672;

    public override string ContainerDataPath => "/var/lib/rabbitmq";

    public override IReadOnlyDictionary<string, string> ContainerEnvironment(ServerResource server) =>
        new Dictionary<string, string>
        {
            ["RABBITMQ_DEFAULT_USER"] = RabbitMQServerResource.UserName,
            ["RABBITMQ_DEFAULT_PASS"] = server.Password.Value,
        };

    // Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user and loses our environment; the real script does not.
    public override string? FindExecutable(string? searchPath) =>
        OnPath(searchPath, "rabbitmq-server") is { } found
            ? File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server") ? "/usr/lib/rabbitmq/bin/rabbitmq-server" : found
            : null;

    public override Task<ProcessSpec> PrepareExecutableAsync(ServerResource server, string executable, StateFolder state,
        PortAllocator ports, CancellationToken cancellationToken)
    {
        var dataDir = state.DataFolder(server.Name, server.HasDataVolume);
        var config = state.WritePrivateFile(server.Name, "rabbitmq.conf", $"""
            listeners.tcp.default = 127.0.0.1:{server.Port}
            default_user = {RabbitMQServerResource.UserName}
            default_pass = {server.Password.Value}
            loopback_users = none
            """);
        var plugins = state.WritePrivateFile(server.Name, "enabled_plugins", "[].");
        var epmdPort = ports.Free();
        File.WriteAllText(EpmdFile(server, state), epmdPort.ToString(CultureInfo.InvariantCulture));
        var spec = new ProcessSpec(executable, [], dataDir)
        {
            Environment =
            {
                // Each instance gets its own node, folders, ports and epmd, so several can run side by side.
                ["RABBITMQ_NODENAME"] = $"dedao-{state.Id}-{server.Name}@localhost",
                ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataDir, "mnesia"),
                ["RABBITMQ_LOG_BASE"] = Path.Combine(dataDir, "log"),
                ["RABBITMQ_LOGS"] = "-",
                ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
                ["RABBITMQ_NODE_PORT"] = server.Port.ToString(CultureInfo.InvariantCulture),
                ["RABBITMQ_DIST_PORT"] = ports.Free().ToString(CultureInfo.InvariantCulture),
                ["RABBITMQ_CONFIG_FILE"] = config,
                ["RABBITMQ_ENABLED_PLUGINS_FILE"] = plugins,
                ["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture),
                ["HOME"] = dataDir,
            },
        };
        return Task.FromResult(spec);
    }

    public override async Task ProbeAsync(ServerResource server, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(server.GetConnectionString()),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
            AutomaticRecoveryEnabled = false,
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await connection.CloseAsync(cancellationToken);
    }

    /// <summary>epmd daemonizes out of the server's process tree; it is ours, on our port, so it goes too.</summary>
    public override void AfterExecutableStopped(ServerResource server, StateFolder state)
    {
        var file = EpmdFile(server, state);
        var epmd = OnPath(Environment.GetEnvironmentVariable("PATH"), "epmd") ?? "/usr/lib/erlang/bin/epmd";
        if (!File.Exists(file) || !File.Exists(epmd))
        {
            return;
        }

        using var process = Process.Start(new ProcessStartInfo(epmd, ["-port", File.ReadAllText(file).Trim(), "-kill"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        process?.WaitForExit(TimeSpan.FromSeconds(5));
        File.Delete(file);
    }

    private static string EpmdFile(ServerResource server, StateFolder state) => Path.Combine(state.Pids, $"{server.Name}.epmd");
}
