namespace Dedao.Hosting.Orchestration;

/// <summary>Aspire's state names for a resource, as the dashboard and tests see them.</summary>
public static class KnownResourceStates
{
    public const string NotStarted = "NotStarted";
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string Stopping = "Stopping";
    public const string Exited = "Exited";
    public const string Finished = "Finished";
    public const string FailedToStart = "FailedToStart";
}

/// <summary>What the dashboard shows of one running thing: a resource, or one replica of a project.</summary>
public sealed record ResourceSnapshot(
    string Name,
    string Type,
    string State,
    string? Health,
    IReadOnlyList<string> Endpoints,
    DateTimeOffset? StartedAt,
    int Restarts,
    int? ExitCode,
    int? Pid,
    string? Runner);

/// <summary>The live state of one resource or replica; changes are announced through <see cref="ResourceNotificationService"/>.</summary>
internal sealed class ResourceInstance(IResource resource, string name, int replica, bool hasHealthCheck)
{
    private const int LogCapacity = 2000;
    private readonly Queue<string> _logs = new();

    public IResource Resource { get; } = resource;

    public string Name { get; } = name;

    public int Replica { get; } = replica;

    public bool HasHealthCheck { get; } = hasHealthCheck;

    public string State { get; set; } = KnownResourceStates.NotStarted;

    public string? Health { get; set; }

    public List<string> Endpoints { get; } = [];

    public DateTimeOffset? StartedAt { get; set; }

    public int Restarts { get; set; }

    public int? ExitCode { get; set; }

    public string? Runner { get; set; }

    public int? Pid { get; set; }

    /// <summary>Running, and healthy where a health check says so: what <c>WaitFor</c> waits for.</summary>
    public bool IsReady => State == KnownResourceStates.Running && (!HasHealthCheck || Health == "Healthy");

    public void AddLog(string line)
    {
        lock (_logs)
        {
            _logs.Enqueue(line);
            if (_logs.Count > LogCapacity)
            {
                _logs.Dequeue();
            }
        }
    }

    public IReadOnlyList<string> Logs()
    {
        lock (_logs)
        {
            return [.. _logs];
        }
    }

    public ResourceSnapshot Snapshot() =>
        new(Name, Resource.Type, State, Health, [.. Endpoints], StartedAt, Restarts, ExitCode, Pid, Runner);
}
