using Aspire.Hosting;

namespace Dedao.Testing;

/// <summary>
/// A server of an app model stopped in its tracks with SIGSTOP, as a hung machine or a long GC pause looks to its
/// clients: connections stay open and nothing answers. Disposing sends SIGCONT.
/// </summary>
public sealed class FrozenServer : IAsyncDisposable
{
    private readonly int _pid;

    private FrozenServer(int pid) => _pid = pid;

    public static async Task<FrozenServer> FreezeAsync(DistributedApplication app, string resource)
    {
        if (!app.ResourceNotifications.TryGetCurrentState(resource, out var current))
        {
            throw new InvalidOperationException($"{resource} is not in the app model");
        }

        var server = new FrozenServer(ServiceProcess.Of(current.Snapshot).Pid);
        await LinuxProcess.SignalAsync(server._pid, "STOP");
        return server;
    }

    public async ValueTask DisposeAsync() => await LinuxProcess.SignalAsync(_pid, "CONT");
}
