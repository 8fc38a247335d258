namespace Dedao.Hosting;

/// <summary>Any program started as a child process (Aspire's <c>AddExecutable</c>).</summary>
public sealed class ExecutableResource(string name, string command, string workingDirectory, IReadOnlyList<string> args)
    : Resource(name), IResourceWithEndpoint
{
    public override string Type => "Executable";

    public string Command { get; } = command;

    public string WorkingDirectory { get; } = workingDirectory;

    public IReadOnlyList<string> Args { get; } = args;

    public HttpEndpoint Http { get; } = new();

    public int Replicas { get; set; } = 1;

    public string? HealthCheckPath { get; set; }

    /// <summary>Whether the engine allocates a port and sets <c>PORT</c>/<c>ASPNETCORE_URLS</c>.</summary>
    public bool HasHttpEndpoint { get; set; }
}
