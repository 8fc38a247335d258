using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;

namespace Dedao.Hosting.Tests;

/// <summary>What the operating system says about the servers DCP runs: their pids, listeners and liveness.</summary>
internal static class ServerProcesses
{
    public static async Task<int> PidAsync(DistributedApplication app, string resourceName)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var running = await app.ResourceNotifications.WaitForResourceAsync(resourceName,
            e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && p.Value is not null), timeout.Token);
        return Convert.ToInt32(running.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary><paramref name="root"/> and every process below it (a server script's interpreter, Erlang's VM).</summary>
    public static IReadOnlySet<int> Tree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid))
            {
                try
                {
                    // The parent is the field after the parenthesised command name, which may itself hold spaces.
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // Gone while we looked.
                }
            }
        }

        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                grew |= tree.Contains(parent) && tree.Add(pid);
            }
        }

        return tree;
    }

    /// <summary>Local addresses of the TCP sockets <paramref name="pid"/> or its descendants listen on, from <c>ss</c>.</summary>
    public static async Task<IReadOnlyList<string>> ListenersAsync(int pid)
    {
        var tree = Tree(pid);
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
