using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>How a backing server runs on this machine.</summary>
public enum ServerRuntime
{
    /// <summary>A server that is already running, named by <c>ConnectionStrings:&lt;name&gt;</c>.</summary>
    External,

    /// <summary>The official image, in docker or podman.</summary>
    Container,

    /// <summary>The server binary installed here, run by DCP as a local process.</summary>
    Executable,
}

/// <summary>
/// Picks design.md's runtime for one server: external when its connection string is set, else what
/// <c>AppHost:Runtime</c> forces, else a container engine that answers, else the installed binary.
/// </summary>
public static class ServerRuntimeChoice
{
    private static readonly string[] ContainerEngines = ["docker", "podman"];
    private static readonly Lazy<bool> EngineAnswers = new(() => ContainerEngineAnswers(Environment.GetEnvironmentVariable("PATH")));

    /// <param name="executableFound">Whether the server's binary is installed here.</param>
    /// <param name="engineAnswers">Whether docker or podman answers; asked only when needed.</param>
    public static ServerRuntime Choose(IConfiguration configuration, string name, string displayName, string installHint,
        bool executableFound, Func<bool>? engineAnswers = null)
    {
        if (!string.IsNullOrEmpty(configuration.GetConnectionString(name)))
        {
            return ServerRuntime.External;
        }

        engineAnswers ??= () => EngineAnswers.Value;
        var forced = configuration["AppHost:Runtime"];
        if (string.Equals(forced, "container", StringComparison.OrdinalIgnoreCase))
        {
            return ServerRuntime.Container;
        }

        if (string.Equals(forced, "executable", StringComparison.OrdinalIgnoreCase))
        {
            return executableFound ? ServerRuntime.Executable : throw Missing(name, displayName, installHint, forced: true);
        }

        if (!string.IsNullOrEmpty(forced))
        {
            throw new DistributedApplicationException(
                $"AppHost:Runtime is '{forced}'; it may be 'container', 'executable' or left unset to choose by what this machine has.");
        }

        return engineAnswers() ? ServerRuntime.Container
            : executableFound ? ServerRuntime.Executable
            : throw Missing(name, displayName, installHint, forced: false);
    }

    /// <summary>The first of <paramref name="names"/> on the PATH or in the usual sbin folders, or null.</summary>
    public static string? FindExecutable(params string[] names)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
        return names.SelectMany(name => folders.Select(folder => Path.Combine(folder, name))).FirstOrDefault(File.Exists);
    }

    private static DistributedApplicationException Missing(string name, string displayName, string installHint, bool forced) => new(forced
        ? $"{name}: AppHost:Runtime is 'executable' but {displayName} is not installed here. Install it ({installHint}) or unset AppHost:Runtime."
        : $"{name}: no way to run {displayName} here. Install it ({installHint}), start docker or podman, or point ConnectionStrings:{name} at a running server.");

    /// <summary>A CLI alone is not enough: <c>docker info</c> answers only when an engine runs.</summary>
    private static bool ContainerEngineAnswers(string? searchPath) =>
        ContainerEngines.Any(engine =>
        {
            var cli = (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(folder => Path.Combine(folder, engine)).FirstOrDefault(File.Exists);
            if (cli is null)
            {
                return false;
            }

            try
            {
                using var process = Process.Start(new ProcessStartInfo(cli, "info")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                process.StandardOutput.ReadToEndAsync();
                process.StandardError.ReadToEndAsync();
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
        });
}
