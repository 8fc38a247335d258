using System.Diagnostics;
using Dedao.Hosting.Orchestration;

namespace Dedao.Hosting.Runners;

/// <summary>A docker or podman CLI whose engine answers; servers then run from their official images.</summary>
internal sealed class ContainerRuntime(string cli)
{
    public string Cli { get; } = cli;

    /// <summary>The first CLI whose engine answers within a few seconds: a CLI without an engine does not count.</summary>
    public static ContainerRuntime? Detect()
    {
        foreach (var cli in new[] { "docker", "podman" })
        {
            var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(folder => Path.Combine(folder, cli)).FirstOrDefault(File.Exists);
            if (path is not null && Answers(path))
            {
                return new ContainerRuntime(path);
            }
        }

        return null;
    }

    private static bool Answers(string cli)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(cli, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static string ContainerName(ServerResource server, StateFolder state) => $"dedao-{state.Id}-{server.Name}";

    /// <summary>A foreground <c>run --rm</c>: its output streams like any child's, and SIGTERM to the CLI stops the container.</summary>
    public ProcessSpec RunSpec(ServerResource server, ServerKind kind, StateFolder state)
    {
        var name = ContainerName(server, state);
        List<string> args = ["run", "--rm", "--name", name, "-p", $"127.0.0.1:{server.Port}:{kind.ContainerPort}"];
        if (server.HasDataVolume)
        {
            args.AddRange(["-v", $"{name}-data:{kind.ContainerDataPath}"]);
        }

        foreach (var (key, value) in kind.ContainerEnvironment(server))
        {
            args.AddRange(["-e", $"{key}={value}"]);
        }

        args.Add(kind.ContainerImage);
        args.AddRange(kind.ContainerArgs(server));
        return new ProcessSpec(Cli, args, state.Root);
    }

    /// <summary>Removes a container a killed AppHost left behind, so the name is free again.</summary>
    public void RemoveLeftover(ServerResource server, StateFolder state)
    {
        using var process = Process.Start(new ProcessStartInfo(Cli, ["rm", "-f", ContainerName(server, state)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        process?.WaitForExit(TimeSpan.FromSeconds(20));
    }
}
