using System.Diagnostics;
using System.Globalization;

namespace Dedao.Hosting.Orchestration;

/// <summary>
/// Pid files in the state folder, so that an AppHost killed without a chance to clean up has its servers and
/// projects stopped by the next one. The process start time guards against a recycled pid.
/// </summary>
internal static class Leftovers
{
    public static void Record(string pidFile, int pid)
    {
        if (StartTime(pid) is { } started)
        {
            File.WriteAllText(pidFile, $"{pid} {started}");
        }
    }

    public static void Forget(string pidFile)
    {
        try
        {
            File.Delete(pidFile);
        }
        catch (IOException)
        {
            // The folder is being removed with the rest of an ephemeral state.
        }
    }

    /// <summary>Stops every process recorded in <paramref name="pidFolder"/> that is still the one recorded.</summary>
    public static IReadOnlyList<string> StopAll(string pidFolder)
    {
        var stopped = new List<string>();
        if (!Directory.Exists(pidFolder))
        {
            return stopped;
        }

        foreach (var file in Directory.EnumerateFiles(pidFolder, "*.pid"))
        {
            var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)
                && StartTime(pid) == parts[1])
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(5));
                    stopped.Add($"{Path.GetFileNameWithoutExtension(file)} (pid {pid})");
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // Already gone.
                }
            }

            File.Delete(file);
        }

        return stopped;
    }

    private static string? StartTime(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..." — comm may hold spaces, so count fields after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
