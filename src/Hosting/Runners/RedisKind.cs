using Dedao.Hosting.Orchestration;
using StackExchange.Redis;

namespace Dedao.Hosting.Runners;

internal sealed class RedisKind : ServerKind
{
    public override string DisplayName => "Redis";

    public override string InstallHint => "apt-get install redis-server";

    public override string ContainerImage => "docker.io/library/redis:7.4";

    public override int ContainerPort => 6379;

    public override string ContainerDataPath => "/data";

    public override IReadOnlyDictionary<string, string> ContainerEnvironment(ServerResource server) =>
        new Dictionary<string, string>();

    public override IReadOnlyList<string> ContainerArgs(ServerResource server) =>
        ["redis-server", "--requirepass", server.Password.Value, "--appendonly", server.HasDataVolume ? "yes" : "no"];

    public override string? FindExecutable(string? searchPath) => OnPath(searchPath, "redis-server");

    public override Task<ProcessSpec> PrepareExecutableAsync(ServerResource server, string executable, StateFolder state,
        PortAllocator ports, CancellationToken cancellationToken)
    {
        var dataDir = state.DataFolder(server.Name, server.HasDataVolume);
        // The password goes in a private file, not on a command line every user can read.
        var config = state.WritePrivateFile(server.Name, "redis.conf", $"""
            port {server.Port}
            bind 127.0.0.1
            requirepass "{server.Password.Value}"
            dir "{dataDir}"
            daemonize no
            appendonly {(server.HasDataVolume ? "yes" : "no")}
            save {(server.HasDataVolume ? "60 1" : "\"\"")}
            """);
        return Task.FromResult(new ProcessSpec(executable, [config], dataDir));
    }

    public override async Task ProbeAsync(ServerResource server, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(server.GetConnectionString());
        options.ConnectTimeout = 2000;
        options.AbortOnConnectFail = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        await connection.GetDatabase().PingAsync();
    }
}
