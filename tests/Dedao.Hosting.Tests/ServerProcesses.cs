using System.Diagnostics;
using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Hosting.Tests;

/// <summary>What the operating system says about the servers DCP runs: their pids, process trees and listeners.</summary>
internal static class ServerProcesses
{
    public static async Task<int> PidAsync(DistributedApplication app, string resourceName)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var running = await app.ResourceNotifications.WaitForResourceAsync(resourceName,
            e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && p.Value is not null), timeout.Token);
        return ServiceProcess.Of(running.Snapshot).Pid;
    }

    /// <summary><paramref name="root"/> and every process below it (a server script's interpreter, Erlang's VM).</summary>
    public static IReadOnlyList<LinuxProcess> Tree(int root) =>
        LinuxProcess.Read(root) is { } process ? LinuxProcess.WithDescendants([process], LinuxProcess.All()) : [];

    /// <summary>Local addresses of the TCP sockets <paramref name="pid"/> or its descendants listen on, from <c>ss</c>.</summary>
    public static async Task<IReadOnlyList<string>> ListenersAsync(int pid)
    {
        var tree = Tree(pid).Select(p => p.Pid).ToList();
        var (_, output) = await RunAsync("ss", "-Hltnp");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => tree.Any(p => line.Contains($"pid={p},", StringComparison.Ordinal)))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .ToList();
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
