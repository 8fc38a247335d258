using Dedao.Hosting.Orchestration;
using Microsoft.Extensions.Configuration;

namespace Dedao.Hosting.Runners;

internal enum RunnerKind
{
    External,
    Container,
    Executable,
}

/// <summary>How one backing server is brought up: chosen per server, in design.md's order.</summary>
internal sealed record ServerRunner(RunnerKind Kind, ServerKind Server, ContainerRuntime? Containers, string? Executable)
{
    public static ServerKind KindOf(ServerResource server) => server switch
    {
        MySqlServerResource => new MySqlKind(),
        RedisResource => new RedisKind(),
        RabbitMQServerResource => new RabbitMQKind(),
        _ => throw new NotSupportedException(server.GetType().Name),
    };

    /// <summary>external, then container, then executable; <c>AppHost:Runtime</c> forces one of the last two.</summary>
    public static ServerRunner Choose(ServerResource server, IConfiguration configuration, Lazy<ContainerRuntime?> containers,
        string? searchPath)
    {
        var kind = KindOf(server);
        if (configuration.GetConnectionString(server.Name) is { Length: > 0 } external)
        {
            server.ExternalConnectionString = external;
            return new ServerRunner(RunnerKind.External, kind, null, null);
        }

        var forced = configuration["AppHost:Runtime"];
        if (forced is not (null or "" or "container" or "executable"))
        {
            throw new DistributedApplicationException($"AppHost:Runtime is '{forced}': use 'container' or 'executable'.");
        }

        if (forced != "executable" && containers.Value is { } runtime)
        {
            return new ServerRunner(RunnerKind.Container, kind, runtime, null);
        }

        if (forced == "container")
        {
            throw new DistributedApplicationException(
                $"{server.Name}: AppHost:Runtime is 'container' but neither docker nor podman answers; start the container engine or unset AppHost:Runtime.");
        }

        if (kind.FindExecutable(searchPath) is { } executable)
        {
            return new ServerRunner(RunnerKind.Executable, kind, null, executable);
        }

        throw new DistributedApplicationException(
            $"{server.Name}: no way to run {kind.DisplayName} here. Install it ({kind.InstallHint}), start docker or podman, "
            + $"or point ConnectionStrings:{server.Name} at a running server.");
    }

    public override string ToString() => Kind switch
    {
        RunnerKind.External => "external",
        RunnerKind.Container => $"container {Server.ContainerImage}",
        _ => $"executable {Executable}",
    };
}
