namespace Dedao.Hosting.Orchestration;

/// <summary>How to start one child process.</summary>
internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Args, string WorkingDirectory)
{
    public Dictionary<string, string?> Environment { get; init; } = new(StringComparer.Ordinal);
}
