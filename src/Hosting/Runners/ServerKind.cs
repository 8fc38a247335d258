using Dedao.Hosting.Orchestration;

namespace Dedao.Hosting.Runners;

/// <summary>What the engine must know to run one kind of server as a container or as a local executable.</summary>
internal abstract class ServerKind
{
    public abstract string DisplayName { get; }

    /// <summary>What to install when neither a container runtime nor the binaries are there.</summary>
    public abstract string InstallHint { get; }

    public abstract string ContainerImage { get; }

    public abstract int ContainerPort { get; }

    public abstract string ContainerDataPath { get; }

    public abstract IReadOnlyDictionary<string, string> ContainerEnvironment(ServerResource server);

    public virtual IReadOnlyList<string> ContainerArgs(ServerResource server) => [];

    /// <summary>The server binary in <paramref name="searchPath"/> (a PATH value) or the usual sbin folders, or null.</summary>
    public abstract string? FindExecutable(string? searchPath);

    /// <summary>Prepares the data folder and configuration, and says how to start the server.</summary>
    public abstract Task<ProcessSpec> PrepareExecutableAsync(ServerResource server, string executable, StateFolder state,
        PortAllocator ports, CancellationToken cancellationToken);

    /// <summary>Throws unless the server answers with the generated credentials.</summary>
    public abstract Task ProbeAsync(ServerResource server, CancellationToken cancellationToken);

    /// <summary>Cleans up what the server leaves running outside its own process tree, now or by a killed AppHost.</summary>
    public virtual void AfterExecutableStopped(ServerResource server, StateFolder state)
    {
    }

    protected static string? OnPath(string? searchPath, params string[] names)
    {
        var folders = (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
        return names.SelectMany(name => folders.Select(folder => Path.Combine(folder, name))).FirstOrDefault(File.Exists);
    }
}
