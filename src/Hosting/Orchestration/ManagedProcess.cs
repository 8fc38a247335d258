using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dedao.Hosting.Orchestration;

/// <summary>
/// A child process whose output is streamed line by line, whose pid is recorded so a later AppHost can stop it
/// if this one is killed, and which is stopped gracefully (SIGTERM) before it is killed.
/// </summary>
internal sealed partial class ManagedProcess
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly string _pidFile;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ManagedProcess(Process process, string pidFile)
    {
        _process = process;
        _pidFile = pidFile;
    }

    public int Pid => _process.Id;

    /// <summary>Completes with the exit code when the process ends, whoever ended it.</summary>
    public Task<int> Exited => _exited.Task;

    public static ManagedProcess Start(ProcessSpec spec, string pidFile, Action<string> onLine)
    {
        // A new session keeps the terminal's Ctrl+C away from children: the AppHost stops them in order itself.
        var useSetsid = OperatingSystem.IsLinux() && File.Exists("/usr/bin/setsid");
        var info = new ProcessStartInfo(useSetsid ? "/usr/bin/setsid" : spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (useSetsid)
        {
            info.ArgumentList.Add(spec.FileName);
        }

        foreach (var arg in spec.Args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, pidFile);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.Exited += (_, _) => managed.OnExited();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DistributedApplicationException($"cannot start '{spec.FileName}': {e.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Leftovers.Record(pidFile, process.Id);
        return managed;
    }

    private void OnExited()
    {
        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        Leftovers.Forget(_pidFile);
        _exited.TrySetResult(code);
    }

    /// <summary>Asks the process to stop, then kills its whole tree if it has not stopped within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            _process.Kill(entireProcessTree: true);
        }
        else
        {
            _ = Kill(_process.Id, SigTerm);
        }

        if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the check and the kill.
            }

            await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(2)));
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
