using System.Diagnostics;
using System.Globalization;

namespace Dedao.Testing;

/// <summary>
/// A process as <c>/proc</c> shows it. Its start time tells it from a later process that was given the same pid, so
/// "still alive" never mistakes a newcomer for a survivor.
/// </summary>
public sealed record LinuxProcess(int Pid, int ParentPid, char State, ulong StartTicks, string CommandLine, string WorkingDirectory)
{
    public static IReadOnlyList<LinuxProcess> All() =>
        [.. Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? Read(pid) : null).OfType<LinuxProcess>()];

    /// <summary>The process with this pid now, or null when there is none.</summary>
    public static LinuxProcess? Read(int pid)
    {
        try
        {
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after its last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
            return new LinuxProcess(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0],
                ulong.Parse(fields[19], CultureInfo.InvariantCulture), commandLine, WorkingDirectoryOf(pid));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Running, and the same process as when it was read; a zombie has exited and only waits to be reaped.</summary>
    public bool IsAlive() => Read(Pid) is { State: not 'Z' } now && now.StartTicks == StartTicks;

    /// <summary>SIGKILL, as <c>kill -9</c>.</summary>
    public void Kill()
    {
        if (!IsAlive())
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(Pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It ended on its own in the meantime.
        }
    }

    /// <summary>Sends a signal as <c>kill -SIGNAL pid</c> does (STOP, CONT, TERM, KILL …).</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} exited with {kill.ExitCode}");
        }
    }

    /// <summary>This process and every process under it, by parent pid, in <paramref name="all"/>.</summary>
    public static IReadOnlyList<LinuxProcess> WithDescendants(IReadOnlyList<LinuxProcess> roots, IReadOnlyList<LinuxProcess> all)
    {
        var found = roots.ToDictionary(p => p.Pid);
        var added = true;
        while (added)
        {
            added = false;
            foreach (var process in all.Where(p => !found.ContainsKey(p.Pid) && found.ContainsKey(p.ParentPid)))
            {
                found.Add(process.Pid, process);
                added = true;
            }
        }

        return [.. found.Values];
    }

    public override string ToString() => $"{Pid} {CommandLine}";

    private static string WorkingDirectoryOf(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
